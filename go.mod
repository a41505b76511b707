module github.com/downwatch/downwatch

go 1.26.0
