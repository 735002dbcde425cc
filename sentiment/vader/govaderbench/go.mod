module github.com/earshot-dev/earshot/sentiment/vader/govaderbench

go 1.24

require (
	github.com/earshot-dev/earshot v0.0.0
	github.com/jonreiter/govader v0.0.0-20250429093935-f6505c8d03cc
)

require gonum.org/v1/gonum v0.8.2 // indirect

// The earshot module of this repository (until a go.work builds both).
replace github.com/earshot-dev/earshot => ../../..
