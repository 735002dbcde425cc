package viral

//go:generate go run ./internal/gen -o defaults.go
