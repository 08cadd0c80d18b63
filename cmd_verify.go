package main

import (
	"context"
	"flag"

	"entrasso/flow"
)

func verifyCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	return func(ctx context.Context, g *globals, e env) int {
		d, code := g.flowDeps(e, "verify", true)
		if d == nil {
			return code
		}
		return finish(e, g, "verify", flow.Verify(ctx, d, g.profile))
	}
}
