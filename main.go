// Command entrasso connects Syncro's single sign-on (OpenID Connect) to
// Microsoft Entra ID: a guided wizard, live checks of every value, the
// client secret kept in the OS keyring, and its rotation a year later.
package main

import (
	"os"

	// Before bubbletea's init: no terminal query for commands that draw
	// nothing (see the package's comment).
	_ "entrasso/internal/quietstart"
)

func main() {
	os.Exit(run(os.Args[1:], defaultEnv()))
}
