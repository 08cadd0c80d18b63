package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"entrasso/oidccheck/entratest"
)

// demoServeLine is the JSON line `demo --serve` prints first.
type demoServeLine struct {
	Address       string `json:"address"`
	CAFile        string `json:"ca_file"`
	TenantID      string `json:"tenant_id"`
	TenantDomain  string `json:"tenant_domain"`
	ClientID      string `json:"client_id"`
	ObjectID      string `json:"object_id"`
	RedirectURI   string `json:"redirect_uri"`
	Secret        string `json:"secret"`
	SecretID      string `json:"secret_id"`
	ExpiredSecret string `json:"expired_secret"`
}

func demoCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	serve := fs.Bool("serve", false, "serve only the Entra look-alike and print its details as one JSON line")
	return func(ctx context.Context, g *globals, e env) int {
		if !*serve {
			return demoWizard(ctx, g, e)
		}
		return serveLookalike(ctx, e)
	}
}

// serveLookalike runs the look-alike until the context ends. Each stdin
// line acts as the portal: "new-secret [description]" adds a secret and
// prints its Value and Secret ID; "delete-secret ID" deletes one;
// "approve-device CODE" plays the admin entering a device code of the
// Graph sign-in and signing in.
func serveLookalike(ctx context.Context, e env) int {
	srv, err := entratest.New(entratest.Options{})
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso demo: %v\n", err)
		return exitFailed
	}
	defer srv.Close()
	dir, err := os.MkdirTemp("", "entrasso-demo-")
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso demo: %v\n", err)
		return exitFailed
	}
	defer os.RemoveAll(dir)
	caFile, err := srv.CA.WriteFile(dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso demo: %v\n", err)
		return exitFailed
	}
	d := srv.SeedDemo()
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(demoServeLine{
		Address: srv.Host, CAFile: caFile, TenantID: d.Tenant.ID, TenantDomain: d.Tenant.Domains[0],
		ClientID: d.App.ClientID, ObjectID: d.App.ObjectID, RedirectURI: entratest.DemoRedirectURI,
		Secret: d.Secret.Value, SecretID: d.Secret.KeyID, ExpiredSecret: d.Expired.Value,
	})
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(e.stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return exitOK
		case line := <-lines:
			cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
			switch cmd {
			case "new-secret":
				desc := arg
				if desc == "" {
					desc = "Syncro SSO " + time.Now().Format("2006-01-02")
				}
				s := srv.AddSecret(d.App, desc, time.Now().AddDate(0, 0, 180))
				_ = enc.Encode(map[string]string{"secret": s.Value, "secret_id": s.KeyID, "description": s.Description, "expires": s.Expires.Format("2006-01-02")})
			case "approve-device":
				code := strings.TrimSpace(arg)
				_ = enc.Encode(map[string]any{"approved": srv.ApproveDeviceCode(code), "user_code": code})
			case "delete-secret":
				_ = enc.Encode(map[string]any{"deleted": srv.DeleteSecret(d.App, strings.TrimSpace(arg)), "secret_id": strings.TrimSpace(arg)})
			case "":
			default:
				_ = enc.Encode(map[string]string{"error": "unknown portal command " + cmd + " (new-secret, delete-secret ID, approve-device CODE)"})
			}
		}
	}
}
