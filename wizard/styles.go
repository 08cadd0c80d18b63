package wizard

import "github.com/charmbracelet/lipgloss"

// styles are built once from one renderer (charmbracelet/glow ui/styles.go),
// whose colour profile and background were decided before the program
// started: NO_COLOR and a dumb terminal give plain text.
type styles struct {
	header, step, stepDone, stepNow, instructions, pass, warn, fail, skip, dim, code, flash, help, title lipgloss.Style
}

func newStyles(r *lipgloss.Renderer) styles {
	accent := lipgloss.AdaptiveColor{Light: "#5A56E0", Dark: "#7571F9"}
	green := lipgloss.AdaptiveColor{Light: "#027A55", Dark: "#02BF87"}
	amber := lipgloss.AdaptiveColor{Light: "#9A6700", Dark: "#E3B341"}
	red := lipgloss.AdaptiveColor{Light: "#C4213C", Dark: "#FE5F86"}
	grey := lipgloss.AdaptiveColor{Light: "#6E6E6E", Dark: "#8A8A8A"}
	return styles{
		header:       r.NewStyle().Bold(true).Foreground(accent),
		title:        r.NewStyle().Bold(true),
		step:         r.NewStyle().Foreground(grey),
		stepDone:     r.NewStyle().Foreground(green),
		stepNow:      r.NewStyle().Bold(true).Foreground(accent),
		instructions: r.NewStyle(),
		pass:         r.NewStyle().Foreground(green),
		warn:         r.NewStyle().Foreground(amber),
		fail:         r.NewStyle().Foreground(red).Bold(true),
		skip:         r.NewStyle().Foreground(grey),
		dim:          r.NewStyle().Foreground(grey),
		code:         r.NewStyle().Foreground(grey),
		flash:        r.NewStyle().Foreground(accent),
		help:         r.NewStyle().Foreground(grey),
	}
}
