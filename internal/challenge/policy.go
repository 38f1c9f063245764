package challenge

import (
	"context"
	"fmt"
)

// Proof is what a request offers to show that a person sent it.
type Proof struct {
	// Altcha is the built-in check's solution: the form field and JSON
	// field "altcha".
	Altcha string
	// Token is the configured provider's token: its widget's form field
	// (Widget.Field, e.g. "cf-turnstile-response") or JSON "captcha_token".
	Token string
	// RemoteIP is the client's address, passed on to the provider.
	RemoteIP string
}

// ErrWrongProof means the request brought the kind of check the site does
// not use: a built-in solution where a provider is configured, or a
// provider's token where none is. It is a kind of ErrInvalid.
var ErrWrongProof = fmt.Errorf("%w: this site takes the other kind of anti-bot check", ErrInvalid)

// Policy is the one anti-bot rule of the site, for every door alike: the
// comment and subscribe forms and their JSON APIs. With a provider
// configured only its token is proof, and a built-in solution is refused,
// never taken instead (anyone can fetch and solve the built-in check
// without the provider's widget); without a provider only the built-in
// solution is proof. A request with no proof at all is not refused here:
// it is unverified, and the caller holds or limits it.
type Policy struct {
	Builtin  *Issuer
	External *External // nil: the built-in check is the site's check
}

// Verdict is what Check found.
type Verdict struct {
	Verified bool
	// Unspent is a correct built-in solution not yet recorded as used: the
	// caller records it beside what it protects, in one transaction (as a
	// comment does), or calls Spend. Zero when there is nothing to record.
	Unspent Solved
}

// TokenField is the form field the provider's widget fills, "" without
// a provider.
func (p *Policy) TokenField() string {
	if p.External == nil {
		return ""
	}
	return Widgets[p.External.Provider].Field
}

// Check decides whether proof is valid under the policy. A provider's
// token is asked about and spent at once; a built-in solution is checked
// and left for the caller to spend (Verdict.Unspent). Errors are
// ErrWrongProof, ErrInvalid, ErrExpired, ErrReplayed, ErrUnavailable, or
// another error when the check could not be made (fail closed).
func (p *Policy) Check(ctx context.Context, proof Proof) (Verdict, error) {
	if p.External != nil {
		switch {
		case proof.Token != "":
			if err := p.External.Verify(ctx, proof.Token, proof.RemoteIP); err != nil {
				return Verdict{}, err
			}
			return Verdict{Verified: true}, nil
		case proof.Altcha != "":
			return Verdict{}, ErrWrongProof
		}
		return Verdict{}, nil
	}
	switch {
	case proof.Altcha != "":
		sol, err := p.Builtin.Check(proof.Altcha)
		if err != nil {
			return Verdict{}, err
		}
		return Verdict{Verified: true, Unspent: sol}, nil
	case proof.Token != "":
		return Verdict{}, ErrWrongProof
	}
	return Verdict{}, nil
}

// Verify is Check for a caller with nothing to record the use beside: a
// built-in solution is spent here.
func (p *Policy) Verify(ctx context.Context, proof Proof) (bool, error) {
	v, err := p.Check(ctx, proof)
	if err != nil || v.Unspent.ID == "" {
		return v.Verified, err
	}
	if err := p.Builtin.Spend(ctx, v.Unspent); err != nil {
		return false, err
	}
	return true, nil
}

// Spend records sol as used: ErrReplayed when it already was.
func (i *Issuer) Spend(ctx context.Context, sol Solved) error {
	if i == nil || i.used == nil {
		return errNotMade
	}
	first, err := i.used.MarkUsed(ctx, sol.ID, sol.Expires)
	if err != nil {
		return fmt.Errorf("challenge: record use: %w", err)
	}
	if !first {
		return ErrReplayed
	}
	return nil
}
