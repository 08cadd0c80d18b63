package termbg

import (
	"os"
	"time"
)

// Dark reports whether the terminal's background is dark. On Windows
// termenv asks nothing either: COLORFGBG when set, else dark.
func Dark(_, _ *os.File, getenv func(string) string, _ time.Duration) (bool, Source) {
	if dark, ok := fromColorFGBG(getenv("COLORFGBG")); ok {
		return dark, ColorFGBG
	}
	return true, Default
}
