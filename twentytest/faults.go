package twentytest

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// FaultKind is what goes wrong with a request.
type FaultKind int

const (
	// FaultStatus answers Status (429, 500, 502, 503, ...) instead of the
	// real response: a real-server JSON body, or for 502 the HTML page a
	// proxy would send.
	FaultStatus FaultKind = iota + 1
	// FaultDrop reads the request and closes the connection without an
	// answer.
	FaultDrop
	// FaultTruncate sends the status and headers, with the Content-Length
	// of the whole body, then only half the body, and closes. The
	// operation is always applied: its response is what gets cut.
	FaultTruncate
	// FaultLatency waits Delay, then serves the request normally.
	FaultLatency
)

func (k FaultKind) String() string {
	switch k {
	case FaultStatus:
		return "status"
	case FaultDrop:
		return "drop"
	case FaultTruncate:
		return "truncate"
	case FaultLatency:
		return "latency"
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault is one injected failure. Faults are off-spec on purpose, so their
// exchanges are not validated (FaultLatency's eventual answer is).
type Fault struct {
	Kind FaultKind
	// Status is FaultStatus's status code (default 500).
	Status int
	// RetryAfter sets a Retry-After header, in whole seconds (rounded
	// up); 0 sends none.
	RetryAfter time.Duration
	// Applied makes FaultStatus and FaultDrop perform the operation before
	// failing, like a gateway that times out after the backend committed:
	// the client cannot tell whether a retry would apply it twice.
	Applied bool
	// Delay is FaultLatency's wait.
	Delay time.Duration
}

func (f Fault) String() string {
	s := f.Kind.String()
	if f.Kind == FaultStatus {
		s += " " + strconv.Itoa(f.status())
	}
	if f.RetryAfter > 0 {
		s += " retry-after=" + f.RetryAfter.String()
	}
	if f.Applied {
		s += " applied"
	}
	if f.Delay > 0 {
		s += " delay=" + f.Delay.String()
	}
	return s
}

func (f Fault) status() int {
	if f.Status == 0 {
		return http.StatusInternalServerError
	}
	return f.Status
}

// FailNext makes the next requests meet these faults, one each, in order,
// after any already scheduled.
func (s *Server) FailNext(faults ...Fault) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.queue = append(s.queue, faults...)
}

// FailRandomly gives each request, with probability rate, one of faults
// chosen at random. The same seed gives the same sequence for the same
// order of requests. A rate of 0 or no faults turns it off. Scheduled
// FailNext faults come first.
func (s *Server) FailRandomly(rate float64, seed uint64, faults ...Fault) {
	s.ctl.Lock()
	defer s.ctl.Unlock()
	s.randRate = rate
	s.randFaults = append([]Fault(nil), faults...)
	s.rnd = rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
}

// pickFault is called with ctl held.
func (s *Server) pickFault() (Fault, bool) {
	if len(s.queue) > 0 {
		f := s.queue[0]
		s.queue = s.queue[1:]
		return f, true
	}
	if s.randRate > 0 && len(s.randFaults) > 0 && s.rnd != nil && s.rnd.Float64() < s.randRate {
		return s.randFaults[s.rnd.IntN(len(s.randFaults))], true
	}
	return Fault{}, false
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) {
	switch f.Kind {
	case FaultLatency:
		if s.sleep(r.Context(), f.Delay) != nil {
			return
		}
		s.serveValidated(w, r)
	case FaultDrop:
		// Read the whole request first, as a server that died while
		// working on it would have.
		if f.Applied {
			s.serveAPI(httptest.NewRecorder(), r)
		} else {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		s.hijackAndClose(w, nil)
	case FaultTruncate:
		rec := httptest.NewRecorder()
		s.serveAPI(rec, r)
		body := rec.Body.Bytes()
		var raw bytes.Buffer
		fmt.Fprintf(&raw, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
		h := rec.Header().Clone()
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("Connection", "close")
		_ = h.Write(&raw)
		raw.WriteString("\r\n")
		raw.Write(body[:len(body)/2])
		s.hijackAndClose(w, raw.Bytes())
	default: // FaultStatus
		if f.Applied {
			s.serveAPI(httptest.NewRecorder(), r)
		}
		s.writeFaultStatus(w, f)
	}
}

// hijackAndClose takes the connection away from net/http, writes raw (if
// any) and closes it, so the client sees the connection end mid-exchange.
func (s *Server) hijackAndClose(w http.ResponseWriter, raw []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http closes the connection
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if raw != nil {
		_, _ = buf.Write(raw)
		_ = buf.Flush()
	}
}

const badGatewayHTML = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

func (s *Server) writeFaultStatus(w http.ResponseWriter, f Fault) {
	status := f.status()
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(f.RetryAfter)))
	}
	switch status {
	case http.StatusBadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(badGatewayHTML))
		return
	case http.StatusTooManyRequests:
		// The era-B throttler body: no headers besides the optional
		// Retry-After chosen by the test.
		writeJSON(w, status, errBody(status, "HttpException", "Limit reached (100 tokens per 60000 ms)"))
		return
	case http.StatusInternalServerError:
		writeJSON(w, status, errBody(status, "InternalServerErrorException", "Internal server error"))
		return
	case http.StatusServiceUnavailable:
		writeJSON(w, status, errBody(status, "ServiceUnavailableException", "Service Unavailable"))
		return
	}
	writeJSON(w, status, errBody(status, "HttpException", http.StatusText(status)))
}

// retrySeconds rounds up, and at least 1, as servers send whole seconds.
func retrySeconds(d time.Duration) int {
	n := int((d + time.Second - 1) / time.Second)
	if n < 1 {
		n = 1
	}
	return n
}
