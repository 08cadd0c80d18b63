package entratest

import "time"

// DemoRedirectURI is the Syncro redirect URI the demo tenant's app has.
const DemoRedirectURI = "https://demo.syncromsp.com/users/auth/openid_connect/callback"

// LoopbackRedirectURI is the Web redirect URI the test sign-in uses.
const LoopbackRedirectURI = "http://localhost/entrasso/callback"

// Demo is the look-alike's ready-made tenant: one app registration as the
// Syncro procedure leaves it, a user, a working secret and an expired one.
type Demo struct {
	Tenant  *Tenant
	App     *App
	User    *User
	Secret  *Secret
	Expired *Secret
}

// SeedDemo fills s with the demo tenant.
func (s *Server) SeedDemo() Demo {
	t := s.AddTenant("contoso.onmicrosoft.com", "contoso.com")
	app := s.AddApp(t, "Syncro", DemoRedirectURI, LoopbackRedirectURI)
	u := s.AddUser(t, User{Name: "Adele Vance", UPN: "adele@contoso.onmicrosoft.com", Email: "adele@contoso.com"})
	now := s.now()
	expired := s.AddSecret(app, "Syncro SSO (last year)", now.Add(-24*time.Hour))
	cur := s.AddSecret(app, "Syncro SSO", now.AddDate(0, 0, 180))
	return Demo{Tenant: t, App: app, User: u, Secret: cur, Expired: expired}
}
