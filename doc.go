// Package tempcreds acquires, caches, refreshes and chains AWS temporary
// credentials for aws-sdk-go-v2. Every provider is an aws.CredentialsProvider.
//
// The pieces, after the AWS SDK for JavaScript v2 classes they follow
// (AWS.Credentials, AWS.TemporaryCredentials, AWS.ChainableTemporaryCredentials,
// AWS.WebIdentityCredentials):
//
//   - Cache makes any provider refresh itself: a hard expiry window (never
//     served), a soft refresh-ahead window (served while one background
//     refresh runs), one load shared by every caller, errors never cached.
//   - NewSessionToken (GetSessionToken with MFA), NewAssumeRole (chains,
//     MFA, external ID, policies, tags) and NewWebIdentity (a token that is
//     replaced or re-read) call STS; NewTemporary chooses between the first
//     two.
//   - Freshness says how much life is enough, for the Cache, the file cache
//     and the server alike.
//
// One Clock, set once in a constructor's options, drives its Cache and the
// Caches it builds around its Source.
//
// Around it: package chain turns a profile, a role chain, MFA or web
// identity into one disk-cached provider (the command line's behaviour);
// the disk cache keeps credentials in 0600 files (through chain and helper); package containercreds
// is the container credentials protocol and its client
// (AWS.RemoteCredentials); package server serves any provider on it.
//
// Every constructor returns a *Cache, safe to assign to
// aws.Config.Credentials: no provider of this package makes an STS call per
// request. A role chain, RoleA assumed with RoleB's credentials assumed with
// the environment's:
//
//	cfg, _ := config.LoadDefaultConfig(ctx)
//	client := sts.NewFromConfig(cfg)
//	roleB, _ := tempcreds.NewAssumeRole(client, roleBARN, func(o *tempcreds.AssumeRoleOptions) { o.Source = cfg.Credentials })
//	roleA, _ := tempcreds.NewAssumeRole(client, roleAARN, func(o *tempcreds.AssumeRoleOptions) { o.Source = roleB })
//	cfg.Credentials = roleA
//
// Passing a Cache to config.WithCredentialsProvider makes the SDK wrap it in
// its own aws.CredentialsCache; add
// config.WithCredentialsCacheOptions(tempcreds.SDKCacheOptions) so that
// cache hands its decisions back (a Cache warns once through its Logger when
// it sees the SDK's cache without them).
//
// Concurrency: a Cache is safe for concurrent use, and its Retrieve takes no
// lock on the fast path; it calls its provider at most once at a time. A
// load runs on the values of the context of the caller that started it,
// without that caller's cancellation: one caller giving up never cancels
// what the others wait for. StaticToken's Set may be called at any time; the
// next load uses the new token. TokenFile and TokenFunc are called once per
// load. Errors of this package never hold a secret; bad settings are a
// *ConfigError naming the field, the limit and where the value came from.
package tempcreds
