//go:build !windows

package termbg

import (
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// Dark reports whether the background of the terminal on in and out is
// dark, and how that was learned. It writes at most one query and waits at
// most wait for its answer.
func Dark(in, out *os.File, getenv func(string) string, wait time.Duration) (bool, Source) {
	if dark, ok := fromColorFGBG(getenv("COLORFGBG")); ok {
		return dark, ColorFGBG
	}
	// As termenv: screen and tmux may sit in front of several terminals at
	// once and do not pass the query on; a dumb terminal cannot answer; a
	// process in the background would be stopped (SIGTTOU/SIGTTIN) for
	// touching the terminal.
	t := getenv("TERM")
	if strings.HasPrefix(t, "screen") || strings.HasPrefix(t, "tmux") || strings.HasPrefix(t, "dumb") ||
		!term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) || !foreground(int(in.Fd())) {
		return true, Default
	}
	reply, answered := query(int(in.Fd()), out, wait)
	if !answered {
		return true, Timeout
	}
	if dark, ok := fromOSC11(reply); ok {
		return dark, Query
	}
	// Only the cursor position came back: the terminal ignores OSC 11.
	return true, Default
}

func foreground(fd int) bool {
	pgrp, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP)
	return err == nil && pgrp == unix.Getpgrp()
}

// query writes OSC 11 and a cursor-position request, then reads until the
// cursor position comes back (the terminal answers in order, so an OSC 11
// reply, if any, is before it) or wait is over. answered is false when no
// cursor position came back in time; reply is the OSC 11 reply, if any.
func query(fd int, out *os.File, wait time.Duration) (reply string, answered bool) {
	// Echo off and bytes as they come, for the answer only: bubbletea sets
	// its own mode right after.
	st, err := term.MakeRaw(fd)
	if err != nil {
		return "", false
	}
	defer term.Restore(fd, st)
	if _, err := out.WriteString("\x1b]11;?\x1b\\\x1b[6n"); err != nil {
		return "", false
	}
	deadline := time.Now().Add(wait)
	var got []byte
	buf := make([]byte, 256)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return "", false
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int((left+time.Millisecond-1)/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return "", false
		}
		n, err = unix.Read(fd, buf)
		if err != nil || n <= 0 {
			return "", false
		}
		got = append(got, buf[:n]...)
		if osc, ok := parseReplies(string(got)); ok {
			return osc, true
		}
	}
}

// parseReplies finds the cursor-position report (ESC [ row ; col R) in s
// and the OSC 11 reply before it, if any.
func parseReplies(s string) (osc string, done bool) {
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b || i+1 >= len(s) {
			continue
		}
		switch s[i+1] {
		case ']':
			// An OSC reply ends with BEL or ST (ESC \), whichever is first.
			rest := s[i+2:]
			bel, st := strings.IndexByte(rest, '\a'), strings.Index(rest, "\x1b\\")
			end := -1
			switch {
			case bel >= 0 && (st < 0 || bel < st):
				end = bel + 1
			case st >= 0:
				end = st + 2
			}
			if end < 0 {
				return "", false
			}
			osc = s[i : i+2+end]
			i += 2 + end - 1
		case '[':
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j < len(s) && s[j] == 'R' {
				return osc, true
			}
		}
	}
	return "", false
}
