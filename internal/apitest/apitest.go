// Package apitest checks, in tests, that every HTTP exchange agrees with the
// OpenAPI document: the request's path and method are documented (or the
// server refused them with 404/405), a request the document calls invalid
// was refused with a 4xx, and the response (status, headers, body) is one the
// document lists for that operation. An undocumented status code, field or
// path fails the test that made the request.
package apitest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/syncboard/syncboard/openapi"
)

var (
	loadOnce sync.Once
	doc      *openapi3.T
	router   routers.Router
	loadErr  error
)

// Doc returns the parsed and validated OpenAPI document.
func Doc(t testing.TB) *openapi3.T {
	t.Helper()
	load()
	if loadErr != nil {
		t.Fatalf("apitest: %v", loadErr)
	}
	return doc
}

func load() {
	loadOnce.Do(func() {
		// /docs and the web client's files are read as opaque strings.
		for _, ct := range []string{"text/html", "text/javascript", "text/css", "image/svg+xml"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
		}
		loader := openapi3.NewLoader()
		doc, loadErr = loader.LoadFromData(openapi.YAML())
		if loadErr != nil {
			return
		}
		if loadErr = doc.Validate(loader.Context); loadErr != nil {
			loadErr = fmt.Errorf("openapi.yaml is not a valid OpenAPI document: %w", loadErr)
			return
		}
		// Match any host: tests call httptest servers and recorders.
		routed := *doc
		routed.Servers = nil
		router, loadErr = legacy.NewRouter(&routed)
	})
}

// Check validates one exchange. reqBody is the request's body (the request's
// own Body may have been consumed).
func Check(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) {
	t.Helper()
	load()
	if loadErr != nil {
		t.Fatalf("apitest: %v", loadErr)
	}
	ctx := context.Background()
	where := fmt.Sprintf("%s %s -> %d", req.Method, req.URL.RequestURI(), status)
	if header.Get("Content-Encoding") == "gzip" {
		// The document describes the content; a gzip body is that content
		// compressed (middleware.Gzip, the precompressed files).
		zr, err := gzip.NewReader(bytes.NewReader(respBody))
		if err == nil {
			respBody, err = io.ReadAll(zr)
		}
		if err != nil {
			t.Errorf("apitest: %s: Content-Encoding: gzip, but the body is not gzip: %v", where, err)
			return
		}
		header = header.Clone()
		header.Del("Content-Encoding")
		header.Del("Content-Length")
	}

	r := req.Clone(ctx)
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	// The request is checked as sent: a body without Content-Type:
	// application/json is one the document calls invalid, which the
	// server must refuse (415).
	if status == http.StatusMethodNotAllowed {
		// The router's answer to a method no operation has; it belongs to
		// no operation, so only its body is checked.
		checkErrorBody(t, where, respBody)
		return
	}
	route, params, err := router.FindRoute(r)
	if err != nil {
		// Not a documented path and method: the server must have refused
		// it with the error body.
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			t.Errorf("apitest: %s: the path and method are not in the OpenAPI document (%v)", where, err)
			return
		}
		checkErrorBody(t, where, respBody)
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil && (status < 400 || status > 499) {
		t.Errorf("apitest: %s: the document calls this request invalid, yet the server did not refuse it: %v", where, err)
	}
	in.Request.Body = io.NopCloser(bytes.NewReader(reqBody))
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(respBody)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Errorf("apitest: %s: the response does not match the OpenAPI document: %v\nbody: %.500s", where, err, respBody)
	}
}

func checkErrorBody(t testing.TB, where string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("apitest: %s: error body is not JSON: %.200s", where, body)
		return
	}
	schema := doc.Components.Schemas["Error"].Value
	if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		t.Errorf("apitest: %s: error body does not match the Error schema: %v", where, err)
	}
}

// Handler wraps h so that every exchange through it is checked.
func Handler(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		orig := r.Clone(r.Context())
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		Check(t, orig, body, rec.Code, rec.Header(), rec.Body.Bytes())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// Transport wraps rt (nil: http.DefaultTransport) so that every exchange of
// an end-to-end test's client is checked.
func Transport(t testing.TB, rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		resp, err := rt.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		respBody, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(respBody))
		Check(t, req, body, resp.StatusCode, resp.Header, respBody)
		return resp, nil
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
