package middleware

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// GzipMinBytes is the largest JSON body sent uncompressed: a body of more
// bytes is gzip-compressed for a client that accepts gzip. Below it the
// gzip header and trailer (18 bytes) and the deflate block cost about what
// they save, and a round trip's worth of bytes goes in one packet anyway.
const GzipMinBytes = 1024

// GzipLevel is the level of the JSON responses. BestSpeed, because the
// board is compressed on every request: on the 4,000-card board it takes a
// third of DefaultCompression's time for a body 13% larger (docs/DESIGN.md,
// "Compression").
const GzipLevel = gzip.BestSpeed

// gzipWriters are reused: a gzip.Writer holds about 1.2 MB of deflate
// state at BestSpeed, far too much to allocate per response.
var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, GzipLevel)
	return w
}}

// gzipResponses are the wrappers with their threshold buffers, reused too.
var gzipResponses = sync.Pool{New: func() any { return new(gzipResponse) }}

// Gzip compresses a JSON response of more than GzipMinBytes for a client
// whose Accept-Encoding takes gzip, and marks every response it sees
// "Vary: Accept-Encoding". It holds up to GzipMinBytes of the body before
// deciding, so the threshold is exact, and then streams.
//
// What it leaves alone: WebSocket upgrades (never wrapped, so the hijack
// reaches the real connection), HEAD (no body), bodies that are not JSON
// (the web client's files come precompressed from their handler, with an
// ETag of their own for each encoding), a response that already has a
// Content-Encoding, and status codes without a body (304, 204).
//
// A compressed response's strong ETag becomes weak (W/"…"): the gzip bytes
// are another representation, which a strong tag may not share with the
// identity one, and a weak tag says "the same content", which is what the
// board's tag (made from its version, not its bytes) means anyway. The
// If-None-Match comparison is weak, so both forms match; a 304 names the
// tag the way the client holds it.
func Gzip() gin.HandlerFunc {
	return func(c *gin.Context) {
		if isUpgrade(c.Request) {
			c.Next()
			return
		}
		AddVary(c.Writer.Header(), "Accept-Encoding")
		if c.Request.Method == http.MethodHead || !AcceptsGzip(c.Request.Header.Get("Accept-Encoding")) {
			c.Next()
			return
		}
		w := gzipResponses.Get().(*gzipResponse)
		w.reset(c.Writer, c.Request)
		c.Writer = w
		finished := false
		defer func() {
			c.Writer = w.ResponseWriter
			if finished {
				w.finish()
			} else {
				// A panic: what was held is dropped, so Recover can still
				// answer 500 when nothing reached the client.
				w.abandon()
			}
			w.reset(nil, nil)
			gzipResponses.Put(w)
		}()
		c.Next()
		finished = true
	}
}

// gzipResponse holds the first GzipMinBytes of a body, then either
// compresses (gz set) or passes through.
type gzipResponse struct {
	gin.ResponseWriter
	req     *http.Request
	status  int
	held    [GzipMinBytes]byte
	n       int  // bytes in held
	decided bool // false while the body is still held
	gz      *gzip.Writer
}

func (w *gzipResponse) reset(rw gin.ResponseWriter, req *http.Request) {
	w.ResponseWriter, w.req, w.status, w.n, w.decided, w.gz = rw, req, 0, 0, false, nil
}

func (w *gzipResponse) WriteHeader(code int) {
	if w.decided {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if code > 0 {
		w.status = code
	}
}

func (w *gzipResponse) WriteHeaderNow() {
	w.decide(false)
	w.ResponseWriter.WriteHeaderNow()
}

func (w *gzipResponse) Status() int {
	if !w.decided && w.status != 0 {
		return w.status
	}
	return w.ResponseWriter.Status()
}

func (w *gzipResponse) Written() bool { return w.n > 0 || w.ResponseWriter.Written() }

func (w *gzipResponse) Size() int {
	if w.n > 0 {
		return w.n
	}
	return w.ResponseWriter.Size()
}

func (w *gzipResponse) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

func (w *gzipResponse) Write(p []byte) (int, error) {
	if !w.decided {
		if w.n+len(p) <= GzipMinBytes {
			w.n += copy(w.held[w.n:], p)
			return len(p), nil
		}
		w.decide(w.compressible())
	}
	if w.gz != nil {
		return w.gz.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// Flush sends what is held uncompressed (a streaming handler wants its
// bytes out, and what it has written so far is under the threshold), or
// flushes the compressor.
func (w *gzipResponse) Flush() {
	w.decide(false)
	if w.gz != nil {
		_ = w.gz.Flush()
	}
	w.ResponseWriter.Flush()
}

// compressible: a JSON body the handler has not encoded itself, with a
// status that has a body.
func (w *gzipResponse) compressible() bool {
	h := w.Header()
	if h.Get("Content-Encoding") != "" {
		return false
	}
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified {
		return false
	}
	ct := h.Get("Content-Type")
	return ct == "application/json" || strings.HasPrefix(ct, "application/json;")
}

// decide sends the status and headers, compressed or not, then what was held.
func (w *gzipResponse) decide(compress bool) {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	if compress {
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		if tag := h.Get("ETag"); strings.HasPrefix(tag, `"`) {
			h.Set("ETag", "W/"+tag)
		}
		w.gz = gzipWriters.Get().(*gzip.Writer)
		w.gz.Reset(w.ResponseWriter)
	} else if w.status == http.StatusNotModified {
		// The client holds the tag as it got it: weak if it came
		// compressed. Send it back the same way.
		if tag := h.Get("ETag"); strings.HasPrefix(tag, `"`) && listsWeak(w.req.Header.Get("If-None-Match"), tag) {
			h.Set("ETag", "W/"+tag)
		}
	}
	if w.status != 0 {
		w.ResponseWriter.WriteHeader(w.status)
	}
	if w.n > 0 {
		if w.gz != nil {
			_, _ = w.gz.Write(w.held[:w.n])
		} else {
			_, _ = w.ResponseWriter.Write(w.held[:w.n])
		}
		w.n = 0
	}
}

// finish sends a body that stayed under the threshold, or ends the gzip
// stream.
func (w *gzipResponse) finish() {
	w.decide(false)
	if w.gz != nil {
		// An error here is a client gone away; there is no one to tell.
		_ = w.gz.Close()
		w.gz.Reset(io.Discard)
		gzipWriters.Put(w.gz)
		w.gz = nil
	}
}

func (w *gzipResponse) abandon() {
	w.n = 0
	if w.gz != nil {
		w.gz.Reset(io.Discard)
		gzipWriters.Put(w.gz)
		w.gz = nil
	}
}

// AcceptsGzip reports whether an Accept-Encoding value takes gzip: listed
// as gzip or x-gzip, or covered by *, with a q above 0 (RFC 9110 12.5.3:
// "gzip;q=0" refuses it, and an explicit entry outranks *).
func AcceptsGzip(header string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		ok := qAboveZero(params)
		if coding == "*" {
			star = ok
			continue
		}
		return ok
	}
	return star
}

func qAboveZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if found && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
	}
	return true
}

// listsWeak reports whether an If-None-Match value lists W/ followed by tag.
func listsWeak(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		if strings.TrimSpace(t) == "W/"+tag {
			return true
		}
	}
	return false
}

// isUpgrade: a WebSocket handshake (Connection: Upgrade), whose handler
// hijacks the connection.
func isUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Connection") {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), "upgrade") {
				return true
			}
		}
	}
	return false
}

// AddVary adds name to the Vary header unless it is listed already.
func AddVary(h http.Header, name string) {
	for _, v := range h.Values("Vary") {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); strings.EqualFold(t, name) || t == "*" {
				return
			}
		}
	}
	h.Add("Vary", name)
}
