// Package quietstart keeps entrasso's start silent: bubbletea v1 asks the
// terminal for its background colour from its own package init (through
// lipgloss's default renderer), before any command has decided whether it
// draws anything. In a terminal that never answers that query, every
// command, `entrasso --version` included, waited five seconds (termenv's
// OSCTimeout).
//
// Go initialises packages in import-path order among those whose imports
// are ready (the Go spec, "Package initialization"), so this package, which
// imports only lipgloss and sorts before github.com/charmbracelet/bubbletea,
// runs first and fixes the default renderer's background. The wizard asks
// the terminal itself, once, on its own renderer, only when it is about to
// draw (STYLE.md: query the background colour once, before the program).
package quietstart

import "github.com/charmbracelet/lipgloss"

func init() {
	// The value is never used to draw: the wizard renders through its own
	// renderer. Setting it marks the default renderer's background as
	// known, so bubbletea's init has nothing to ask.
	lipgloss.SetHasDarkBackground(true)
}
