package bench

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The memory benchmark measures the heap of the process that lists, so the
// server it lists from runs in another process: this test binary started
// again with serverEnv set.
const serverEnv = "TWENTY_BENCH_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(serverEnv) != "" {
		serveOutOfProcess()
		return
	}
	code := m.Run()
	stopRemote()
	os.Exit(code)
}

// listTotal is the number of records the out-of-process server lists.
const listTotal = 100_000

// serveOutOfProcess serves GET /rest/people over listTotal generated people,
// following starting_after cursors, until its stdin closes.
func serveOutOfProcess() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(1)
	}
	fmt.Println("ADDR", ln.Addr().String())
	go func() {
		io.Copy(io.Discard, os.Stdin) // the parent exits or closes: so do we
		os.Exit(0)
	}()
	h := newListHandler(NewGenerator(seed), listTotal)
	http.Serve(ln, h)
}

// listHandler serves pages of total generated people; bodies are made once
// and kept, so the server costs little after the first pass.
type listHandler struct {
	gen   *Generator
	total int
	mu    sync.Mutex
	pages map[[2]int][]byte
	// latency, if set, delays every answer.
	latency func()
}

func newListHandler(g *Generator, total int) *listHandler {
	return &listHandler{gen: g, total: total, pages: map[[2]int][]byte{}}
}

func (h *listHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.latency != nil {
		h.latency()
	}
	if r.URL.Path != "/rest/people" || r.Header.Get("Authorization") != "Bearer "+testKey {
		http.Error(w, `{"statusCode":404,"error":"NotFound","messages":["no"]}`, http.StatusNotFound)
		return
	}
	q := r.URL.Query()
	limit := 60
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	limit = min(max(limit, 1), pageSize)
	start := 0
	if c := q.Get("starting_after"); c != "" {
		pos, err := cursorPosition(c)
		if err != nil {
			http.Error(w, `{"statusCode":400,"error":"BadRequestException","messages":["bad cursor"]}`, http.StatusBadRequest)
			return
		}
		start = pos + 1
	}
	body := h.page(start, limit)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

func (h *listHandler) page(start, limit int) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := [2]int{start, limit}
	if b, ok := h.pages[k]; ok {
		return b
	}
	b := h.gen.PageBody(start, limit, h.total)
	h.pages[k] = b
	return b
}

func cursorPosition(c string) (int, error) {
	raw, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, err
	}
	var v struct {
		Position int `json:"position"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, err
	}
	return v.Position, nil
}

var remote struct {
	once sync.Once
	url  string
	err  error
	cmd  *exec.Cmd
	in   io.WriteCloser
}

// remoteServer starts (once) the out-of-process list server.
func remoteServer(tb testing.TB) string {
	tb.Helper()
	remote.once.Do(func() {
		cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
		cmd.Env = append(os.Environ(), serverEnv+"=1")
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			remote.err = err
			return
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			remote.err = err
			return
		}
		if err := cmd.Start(); err != nil {
			remote.err = err
			return
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "ADDR ") {
			remote.err = fmt.Errorf("list server did not start: %q %v", line, err)
			in.Close()
			cmd.Wait()
			return
		}
		remote.cmd, remote.in = cmd, in
		remote.url = "http://" + strings.TrimSpace(strings.TrimPrefix(line, "ADDR "))
	})
	if remote.err != nil {
		tb.Fatal(remote.err)
	}
	return remote.url
}

func stopRemote() {
	if remote.cmd != nil {
		remote.in.Close()
		remote.cmd.Wait()
	}
}
