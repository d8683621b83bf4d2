package chain

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/tempcreds/tempcreds/internal/stsrules"
)

// target is the final role's settings, merged from request and environment.
type target struct {
	roleARN, roleOrigin     string
	sessionName             string
	duration                time.Duration
	durationOrigin          string
	tokenFile, tokenCommand string
	hasShape                bool // ExternalID, Policy, PolicyARNs, Tags or SourceIdentity given
}

// resolveTarget merges the final role's settings and checks them against
// STS's limits, naming the field or the variable the value came from.
func resolveTarget(r Request, e env) (*target, error) {
	t := &target{duration: r.Duration}
	if r.Duration%time.Second != 0 || r.Duration < 0 {
		return nil, bad("Duration", "", "", "{{Duration}} %s is not a whole, positive number of seconds", r.Duration)
	}
	if t.duration == 0 {
		t.durationOrigin = "AWS_ROLE_DURATION_SECONDS"
		v := e("AWS_ROLE_DURATION_SECONDS")
		d, err := stsrules.ParseDuration(v)
		if err != nil {
			return nil, bad("Duration", t.durationOrigin, v, "{{Duration}} {{value}} %v", err)
		}
		t.duration = d
	}
	t.roleARN = firstNonEmpty(r.RoleARN, e("AWS_ROLE_ARN"))
	t.roleOrigin = originOf(r.RoleARN != "", "AWS_ROLE_ARN")
	t.sessionName = firstNonEmpty(r.RoleSessionName, e("AWS_ROLE_SESSION_NAME"))
	t.tokenFile = absPath(firstNonEmpty(r.WebIdentityTokenFile, e("AWS_WEB_IDENTITY_TOKEN_FILE")))
	t.tokenCommand = r.WebIdentityTokenCommand
	t.hasShape = r.ExternalID != "" || r.Policy != "" || len(r.PolicyARNs) > 0 || len(r.Tags) > 0 || r.SourceIdentity != ""
	if err := ruled(stsrules.SessionName("RoleSessionName", t.sessionName), originOf(r.RoleSessionName != "", "AWS_ROLE_SESSION_NAME")); err != nil {
		return nil, err
	}
	return t, ruled(checkRequest(r), "")
}

// checkRequest checks the Request's own settings against STS's rules.
func checkRequest(r Request) *stsrules.Violation {
	vs := []*stsrules.Violation{
		stsrules.MFASerial("MFASerial", r.MFASerial),
		stsrules.ExternalID("ExternalID", r.ExternalID),
		stsrules.SessionName("SourceIdentity", r.SourceIdentity),
		stsrules.Policy("Policy", r.Policy),
		stsrules.PolicyARNs("PolicyARNs", r.PolicyARNs),
	}
	for _, v := range r.Via {
		vs = append(vs, stsrules.RoleARN("Via", v))
	}
	return stsrules.First(append(vs,
		stsrules.Tags("Tags", r.Tags),
		stsrules.TransitiveTags("TransitiveTags", "{{Tags}}", r.TransitiveTags, r.Tags),
		stsrules.MinTokenSize("MinTokenSize", r.MinTokenSize))...)
}

// sourceKeys are the keys a request or aws-sts-helper's variables give.
type sourceKeys struct {
	access, secret, token string
	origin                string // "" for Request.Keys, else AWS_STS_ACCESS_KEY
}

// keysOf reads the keys of the request, else of AWS_STS_ACCESS_KEY and
// AWS_STS_ACCESS_SECRET, refusing half a pair.
func keysOf(r Request, e env) (sourceKeys, error) {
	k := sourceKeys{access: e("AWS_STS_ACCESS_KEY"), secret: e("AWS_STS_ACCESS_SECRET"), origin: "AWS_STS_ACCESS_KEY"}
	if rk := r.Keys; rk.AccessKeyID != "" || rk.SecretAccessKey != "" {
		k = sourceKeys{access: rk.AccessKeyID, secret: rk.SecretAccessKey, token: rk.SessionToken}
	}
	switch {
	case (k.access == "") != (k.secret == "") && k.origin == "":
		return k, bad(fieldKeys, "", "", "{{Keys}} need both an access key ID and a secret access key (one is empty)")
	case (k.access == "") != (k.secret == ""):
		return k, bad(fieldKeys, k.origin, "", "AWS_STS_ACCESS_KEY and AWS_STS_ACCESS_SECRET must be set together (one is empty)")
	}
	return k, nil
}

// resolveSource picks the source: a source process; web identity; a
// profile in the request; AWS_STS_ACCESS_KEY/SECRET (the helper's);
// AWS_PROFILE; then the SDK's default chain. With web identity (a token
// file or command), AWS_ROLE_ARN is the web identity role, as in the SDKs.
func resolveSource(p *Plan, ctx context.Context, r Request, t *target, e env) error {
	k, err := keysOf(r, e)
	if err != nil {
		return err
	}
	webIdentity := t.tokenFile != "" || t.tokenCommand != ""
	switch {
	case r.SourceProcess != "":
		return sourceProcess(p, r, t, k)
	case webIdentity && t.tokenFile != "" && t.tokenCommand != "":
		return bad("WebIdentityTokenFile", "", "", "give {{WebIdentityTokenFile}} or {{WebIdentityTokenCommand}}, not both")
	case webIdentity:
		p.Source = SourceWebIdentity
	case r.Profile != "" && k.origin != "":
		return fromProfile(ctx, p, r.Profile, "")
	case k.access != "":
		p.Source, p.StaticKey, p.staticSecret, p.staticToken = SourceStatic, k.access, k.secret, k.token
		p.helperKeys = k.origin == "AWS_STS_ACCESS_KEY"
	case e("AWS_PROFILE") != "":
		return fromProfile(ctx, p, e("AWS_PROFILE"), "AWS_PROFILE")
	default:
		p.Source = SourceDefaultChain
	}
	return nil
}

// sourceProcess makes Request.SourceProcess the source: the only one.
func sourceProcess(p *Plan, r Request, t *target, k sourceKeys) error {
	switch {
	case r.WebIdentityTokenFile == "" && t.tokenFile != "":
		return bad("SourceProcess", "", "", "give one source: {{SourceProcess}} or a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE is set: unset it)")
	case t.tokenFile != "" || t.tokenCommand != "" || r.Profile != "" || k.origin == "":
		return bad("SourceProcess", "", "", "give one source: {{SourceProcess}}, a web identity token, {{Profile}} or {{Keys}}")
	}
	p.Source, p.ProcessCommand, p.ProcessTTL = SourceProcess, r.SourceProcess, r.SourceProcessTTL
	return nil
}

// resolveHops adds the request's hops above the source's, then defaults.
func resolveHops(p *Plan, r Request, t *target) error {
	if err := requestWebIdentity(p, r, t); err != nil {
		return err
	}
	for _, v := range r.Via {
		p.Hops = append(p.Hops, Hop{Kind: HopAssumeRole, RoleARN: v, SessionName: t.sessionName})
	}
	if err := addFinal(p, r, t); err != nil {
		return err
	}
	if r.MinTokenSize > 0 {
		p.Hops[len(p.Hops)-1].MinTokenSize = r.MinTokenSize
	}
	placeSessionShape(p, r)
	applyDefaults(p, t)
	if err := checkDurations(p); err != nil {
		return err
	}
	applyMFAMode(p)
	noDefaultAboveTemporary(p)
	return nil
}

// requestWebIdentity adds the request's and the environment's web identity
// hop. A profile's web identity (role_arn + web_identity_token_file, the
// EKS/IRSA shape) already made its own.
func requestWebIdentity(p *Plan, r Request, t *target) error {
	if p.Source != SourceWebIdentity || t.tokenFile == "" && t.tokenCommand == "" {
		return nil
	}
	if t.roleARN == "" {
		return bad("RoleARN", "", "", "web identity needs a role: pass {{RoleARN}} or set AWS_ROLE_ARN")
	}
	if err := ruled(stsrules.RoleARN("RoleARN", t.roleARN), t.roleOrigin); err != nil {
		return err
	}
	p.Hops = append(p.Hops, Hop{Kind: HopWebIdentity, RoleARN: t.roleARN, DurationOrigin: t.durationOrigin,
		SessionName: firstNonEmpty(t.sessionName, stsrules.DefaultWebIdentitySessionName), Duration: t.duration, Policy: r.Policy,
		PolicyARNs: r.PolicyARNs, TokenFile: t.tokenFile, TokenCommand: t.tokenCommand})
	t.roleARN = "" // consumed
	if r.MFASerial != "" {
		return bad("MFASerial", "", "", "{{MFASerial}} cannot be used with web identity")
	}
	return nil
}

// noDefaultAboveTemporary: the helper's 12-hour default cannot apply to a
// role assumed with temporary credentials (AWS's 1-hour chaining cap): ask
// for STS's default instead of being capped with a warning on every
// refresh. A source process (Roles Anywhere, okta-aws-cli, saml2aws,
// export-credentials) and a profile the SDK resolves (SSO, aws login) give
// temporary credentials.
func noDefaultAboveTemporary(p *Plan) {
	temporarySource := p.staticToken != "" || p.Source == SourceProcess || p.Source == SourceProfileSDK
	if last := &p.Hops[len(p.Hops)-1]; last.DurationOrigin == OriginDefault && (len(p.Hops) > 1 || temporarySource) {
		last.Duration, last.DurationOrigin = 0, ""
	}
}

// applyDefaults gives the final hop its duration and every role its
// session name, by interface: aws-sts-helper's (the role from AWS_ROLE_ARN,
// or no role and its AWS_STS_* keys) keeps "temporary" and 12 hours; a
// profile's or the command line's role follows the AWS CLI: 1 hour and a
// session named after the person. A session token keeps STS's 12 hours.
func applyDefaults(p *Plan, t *target) {
	helper := p.helperDefaults || t.roleOrigin == "AWS_ROLE_ARN" && t.roleARN != "" || p.Source == SourceStatic && p.helperKeys
	last := &p.Hops[len(p.Hops)-1]
	if last.Duration == 0 {
		switch {
		case last.Kind == HopSessionToken || last.Kind == HopAssumeRole && helper:
			last.Duration, last.DurationOrigin = helperDuration, OriginDefault
		case last.Kind == HopAssumeRole:
			last.Duration = profileDuration
		}
	}
	for i := range p.Hops {
		h := &p.Hops[i]
		if h.Kind != HopAssumeRole || h.SessionName != "" {
			continue
		}
		if helper && i >= p.profileHops { // a profile's own roles follow the AWS CLI
			h.SessionName = stsrules.DefaultRoleSessionName
		} else {
			h.SessionName, h.sessionNameTimestamp = stsrules.PersonalSessionName(p.user), true
		}
	}
}

// placeSessionShape puts the request's source identity and transitive
// tags on the chain's first role (they then pass along the chain, and AWS
// refuses a later role that changes them) and its other tags on the final
// role. A profile's own source_identity and session_tags stay on its role.
func placeSessionShape(p *Plan, r Request) {
	first, last := -1, -1
	for i, h := range p.Hops {
		if h.Kind == HopAssumeRole {
			last = i
			if first < 0 {
				first = i
			}
		}
	}
	if first < 0 {
		return // no role: refused earlier when any of them was given
	}
	if r.SourceIdentity != "" {
		p.Hops[first].SourceIdentity = r.SourceIdentity
	}
	transitive := map[string]bool{}
	for _, k := range r.TransitiveTags {
		transitive[k] = true
	}
	for k, v := range r.Tags {
		i := last
		if transitive[k] {
			i = first
			if !slices.Contains(p.Hops[i].TransitiveTags, k) {
				p.Hops[i].TransitiveTags = append(p.Hops[i].TransitiveTags, k)
			}
		}
		if p.Hops[i].Tags == nil {
			p.Hops[i].Tags = map[string]string{}
		}
		p.Hops[i].Tags[k] = v
	}
	sort.Strings(p.Hops[first].TransitiveTags)
}

// needRole names the settings that shape a role session.
const needRole = "{{ExternalID}}, {{Policy}}, {{PolicyARNs}}, {{Tags}} and {{SourceIdentity}} need a role"

// addFinal adds the final hop: the request's role, or the request's
// settings applied to the profile's last hop, or GetSessionToken.
func addFinal(p *Plan, r Request, t *target) error {
	switch {
	case r.NoRole:
		return finalSessionToken(p, r, t)
	case t.roleARN != "":
		if err := ruled(stsrules.RoleARN("RoleARN", t.roleARN), t.roleOrigin); err != nil {
			return err
		}
		p.Hops = append(p.Hops, Hop{Kind: HopAssumeRole, RoleARN: t.roleARN, SessionName: t.sessionName, Duration: t.duration,
			DurationOrigin: t.durationOrigin, ExternalID: r.ExternalID, Policy: r.Policy, PolicyARNs: r.PolicyARNs, MFASerial: r.MFASerial})
	case len(p.Hops) > 0:
		shapeLast(p, r, t)
	case (p.Source == SourceProfileSDK || p.Source == SourceProcess) && r.MFASerial == "":
		return finalAsItIs(p, r, t)
	default:
		// No role anywhere: GetSessionToken, AWS.TemporaryCredentials
		// without a RoleArn.
		if t.hasShape {
			return bad("RoleARN", "", "", needRole+": pass {{RoleARN}} or set AWS_ROLE_ARN")
		}
		p.Hops = append(p.Hops, Hop{Kind: HopSessionToken, Duration: t.duration, DurationOrigin: t.durationOrigin, MFASerial: r.MFASerial})
	}
	return nil
}

// finalSessionToken is NoRole: GetSessionToken is the target, and a
// profile's roles are dropped.
func finalSessionToken(p *Plan, r Request, t *target) error {
	switch {
	case r.RoleARN != "" || len(r.Via) > 0:
		return bad("NoRole", "", "", "{{NoRole}} cannot be combined with {{RoleARN}} or {{Via}}")
	case p.Source == SourceWebIdentity:
		return bad("NoRole", "", "", "{{NoRole}} (GetSessionToken) cannot be used with web identity")
	case t.hasShape:
		return bad("NoRole", "", "", needRole+"; {{NoRole}} uses GetSessionToken")
	}
	p.Hops = append(dropRoleHops(p.Hops), Hop{Kind: HopSessionToken, Duration: t.duration, DurationOrigin: t.durationOrigin,
		MFASerial: firstNonEmpty(r.MFASerial, profileMFA(p))})
	return nil
}

// shapeLast applies the request's settings to the last hop: the profile
// (or web identity, or Via) is the target.
func shapeLast(p *Plan, r Request, t *target) {
	last := &p.Hops[len(p.Hops)-1]
	if t.duration != 0 {
		last.Duration, last.DurationOrigin = t.duration, t.durationOrigin
	}
	role := last.Kind == HopAssumeRole
	if t.sessionName != "" && role {
		last.SessionName = t.sessionName
	}
	last.ExternalID = firstNonEmpty(r.ExternalID, last.ExternalID)
	last.Policy = firstNonEmpty(r.Policy, last.Policy)
	if len(r.PolicyARNs) > 0 {
		last.PolicyARNs = r.PolicyARNs
	}
	if r.MFASerial != "" && role {
		last.MFASerial = r.MFASerial
	}
}

// finalAsItIs: a profile the SDK resolves (SSO, credential_source) or a
// credential_process, with no role above it: its credentials are already
// temporary, and AWS refuses GetSessionToken signed with them. They are
// used as they are.
func finalAsItIs(p *Plan, r Request, t *target) error {
	what := fmt.Sprintf("profile %q", p.Profile)
	if p.Profile == "" {
		what = "the source process"
	}
	if r.MinTokenSize > 0 {
		return bad("MinTokenSize", "", "", "{{MinTokenSize}} needs an STS call: %s gives its credentials as they are (add a role)", what)
	}
	if t.hasShape || t.duration != 0 || r.RoleSessionName != "" {
		return bad("Profile", "", "", "{{ExternalID}}, {{Policy}}, {{PolicyARNs}}, {{Tags}}, {{SourceIdentity}}, {{Duration}} and {{RoleSessionName}} need a role: "+
			"%s gives its credentials as they are", what)
	}
	p.Hops = append(p.Hops, Hop{Kind: HopSource})
	return nil
}
