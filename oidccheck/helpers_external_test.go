package oidccheck_test

import (
	"crypto/tls"

	"entrasso/oidccheck/entratest"
)

func tlsFor(srv *entratest.Server) *tls.Config { return &tls.Config{RootCAs: srv.CA.Pool()} }
