// The core module (github.com/earshot-dev/earshot) is not required here:
// until it is published, it comes from the workspace (go.work at the
// repository root).
module github.com/earshot-dev/earshot/sentiment/vader/govaderbench

go 1.24

require github.com/jonreiter/govader v0.0.0-20250429093935-f6505c8d03cc

require gonum.org/v1/gonum v0.8.2 // indirect
