export { DigestChallenger, type DigestChallengerOptions, type DigestFailure, type DigestVerifyResult, type Ha1Lookup } from './digest-challenger.ts';
export { DigestClient, type DigestRespondOptions } from './digest-client.ts';
export { ha1, digestHash, digestResponse, type DigestAlgorithm, type DigestInputs } from './digest-hash.ts';
export { parseDigest, formatDigest, parseAuthHeader, DigestSyntaxError, type AuthChallenge } from './digest-header.ts';
