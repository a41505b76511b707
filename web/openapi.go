package web

import (
	_ "embed"
	"net/http"
)

// openAPI describes the JSON API (every "/api/" route of routeTable) in
// OpenAPI 3.1. It is written by hand; TestOpenAPIRoutes fails when it names a
// route the server lacks or misses one it has, and TestOpenAPISchemas when a
// schema's properties differ from the JSON of the Go type it describes.
//
//go:embed openapi.json
var openAPI []byte

// apiOpenAPI answers GET /api/openapi.json.
func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(openAPI)
}
