package loopback

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, c *http.Client, u string) (int, string, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestShortAddressStateAndOneTimeAnswer(t *testing.T) {
	for _, path := range []string{"/", "/entrasso/callback"} {
		t.Run(path, func(t *testing.T) {
			l, err := Listen(Options{CallbackPath: path, Again: "entrasso x"})
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			l.Serve("https://login.example/authorize?x=1")
			if got := l.ShortURL(); !strings.HasPrefix(got, "http://localhost:") || !strings.HasSuffix(got, "/") {
				t.Fatalf("short %q", got)
			}
			base := strings.TrimSuffix(l.ShortURL(), "/")
			if st, loc, _ := get(t, noFollow, l.ShortURL()); st != http.StatusFound || loc != "https://login.example/authorize?x=1" {
				t.Fatalf("short address: %d %q", st, loc)
			}
			if st, _, body := get(t, noFollow, base+path+"?code=c&state=wrong"); st != http.StatusBadRequest || !strings.Contains(body, "entrasso x") {
				t.Fatalf("wrong state: %d %s", st, body)
			}
			pages := make(chan string, 1)
			go func() {
				_, _, body := get(t, noFollow, base+path+"?code=c1&state="+l.State())
				pages <- body
			}()
			cb, err := l.Wait(context.Background(), 10*time.Second)
			if err != nil || cb.Code != "c1" {
				t.Fatalf("wait: %v %+v", err, cb)
			}
			if st, _, body := get(t, noFollow, base+path+"?code=c2&state="+l.State()); st != http.StatusBadRequest || !strings.Contains(body, "already used") {
				t.Fatalf("second answer: %d %s", st, body)
			}
			cb.Reply(Page{Title: "Done <here>", Body: "ok"})
			if p := <-pages; !strings.Contains(p, "<h1>Done &lt;here&gt;</h1>") {
				t.Fatalf("page %s", p)
			}
		})
	}
}

func TestWaitTimesOutAndCancels(t *testing.T) {
	l, err := Listen(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Wait(context.Background(), time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Fatalf("timeout: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Wait(ctx, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
}
