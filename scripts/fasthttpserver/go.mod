module broadsheet-bench/fasthttpserver

go 1.26.8

require (
	broadsheet-bench/plainserver v0.0.0
	github.com/valyala/fasthttp v1.79.0
)

require (
	github.com/klauspost/compress v1.20.4 // indirect
	github.com/molecule-man/go-brrr v1.3.1 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
)

// The shared loader is the plain server's, beside this module.
replace broadsheet-bench/plainserver => ../plainserver
