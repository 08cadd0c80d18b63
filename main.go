// Command entrasso connects Syncro's single sign-on (OpenID Connect) to
// Microsoft Entra ID: a guided wizard, live checks of every value, the
// client secret kept in the OS keyring, and its rotation a year later.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], defaultEnv()))
}
