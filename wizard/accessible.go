package wizard

import (
	"context"
	"fmt"
	"io"
)

// RunAccessible will run the same steps as plain line prompts.
func RunAccessible(ctx context.Context, d *Deps, in io.Reader, out io.Writer) int {
	fmt.Fprintln(out, "entrasso: the accessible (line prompt) wizard is not built yet; use entrasso setup --non-interactive")
	return 2
}
