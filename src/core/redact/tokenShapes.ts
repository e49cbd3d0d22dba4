// Credentials recognisable by shape alone, wherever they sit: code, config, a comment in any
// language, a log line. Mostly vendor prefixes (after gitleaks' rule set) that secretlint's
// recommended preset misses or only partly covers; overlap with secretlint is harmless
// because findings are merged.
//
// Every pattern is linear (no nested quantifiers) because prompts can be large and come from
// files we do not control. A named group `s` marks the part to redact when the match
// includes context (a prefix that keeps the text readable, or a nearby name).
import type { RedactionFinding } from "./findings";
import { isPlaceholderValue } from "./placeholders";

interface TokenShape {
  readonly kind: string;
  readonly pattern: RegExp;
}

// Token characters must not continue on either side, so a shape is not found inside a longer word.
const B = "(?<![A-Za-z0-9_])";
const E = "(?![A-Za-z0-9_])";

function shape(kind: string, body: string, flags = ""): TokenShape {
  return { kind, pattern: new RegExp(body, `gd${flags}`) };
}

export const TOKEN_SHAPES: readonly TokenShape[] = [
  // Cloud providers
  shape("aws-access-key", `${B}(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}${E}`),
  shape("aws-secret-key", `aws.{0,24}?(?:secret|sk).{0,24}?[=:"'\\s>]\\s*["']?(?<s>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])`, "i"),
  shape("google-api-key", `${B}AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])`),
  shape("google-oauth-secret", `${B}GOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])`),
  shape("azure-client-secret", `${B}[A-Za-z0-9_~.-]{3}\\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])`),
  shape("azure-sas-signature", `[?&]sig=(?<s>[A-Za-z0-9%+/=]{20,})`),
  shape("digitalocean-token", `${B}do[opr]_v1_[a-f0-9]{64}${E}`),
  shape("heroku-api-key", `${B}HRKU-[A-Za-z0-9_-]{40,}`),
  shape("databricks-token", `${B}dapi[a-f0-9]{32}(?:-\\d)?${E}`),
  shape("alibaba-access-key", `${B}LTAI[A-Za-z0-9]{20}${E}`),
  // AI vendors
  shape("anthropic-api-key", `${B}sk-ant-[a-z]{3,6}\\d{2}-[A-Za-z0-9_-]{32,}`),
  shape("openai-api-key", `${B}sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}`),
  shape("openai-api-key", `${B}sk-[A-Za-z0-9]{20,}(?:T3BlbkFJ[A-Za-z0-9]{16,})?${E}`),
  shape("huggingface-token", `${B}hf_[A-Za-z]{30,40}${E}`),
  shape("groq-api-key", `${B}gsk_[A-Za-z0-9]{48,}${E}`),
  shape("replicate-token", `${B}r8_[A-Za-z0-9]{37}${E}`),
  // Source hosting and package registries
  shape("github-token", `${B}gh[pousr]_[A-Za-z0-9]{36,255}${E}`),
  shape("github-token", `${B}github_pat_[A-Za-z0-9_]{50,255}${E}`),
  shape("gitlab-token", `${B}(?:glpat|gldt|glptt|glrt|gloas|glsoat|glcbt|glimt|glagent|glft)-[A-Za-z0-9_-]{20,}`),
  shape("gitlab-token", `${B}GR1348941[A-Za-z0-9_-]{20,}`),
  shape("bitbucket-token", `${B}ATBB[A-Za-z0-9_=.-]{28,}`),
  shape("atlassian-token", `${B}ATATT3[A-Za-z0-9_=-]{100,}`),
  shape("npm-token", `${B}npm_[A-Za-z0-9]{36}${E}`),
  shape("pypi-token", `${B}pypi-AgE[A-Za-z0-9_-]{50,}`),
  shape("rubygems-token", `${B}rubygems_[a-f0-9]{48}${E}`),
  shape("nuget-key", `${B}oy2[a-z0-9]{43}${E}`),
  shape("docker-hub-token", `${B}dckr_pat_[A-Za-z0-9_-]{27,}`),
  // Chat, mail, payments, messaging
  shape("slack-token", `${B}xox[abposre]-[0-9A-Za-z-]{10,}`),
  shape("slack-token", `${B}xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+${E}`),
  shape("slack-webhook", `https://hooks\\.slack\\.com/(?:services|workflows|triggers)/(?<s>[A-Za-z0-9+/_-]{20,})`),
  shape("discord-webhook", `https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/(?<s>\\d+/[A-Za-z0-9_-]{30,})`),
  shape("teams-webhook", `https://[A-Za-z0-9-]+\\.webhook\\.office\\.com/webhookb2/(?<s>[^\\s"'<>\`]{20,})`),
  shape("discord-bot-token", `${B}[MN][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}${E}`),
  shape("telegram-bot-token", `(?<![0-9])\\d{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])`),
  shape("stripe-secret-key", `${B}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}${E}`),
  shape("stripe-webhook-secret", `${B}whsec_[A-Za-z0-9+/]{24,}`),
  shape("square-token", `${B}(?:EAAA|sq0atp-|sq0csp-)[A-Za-z0-9_-]{22,60}`),
  shape("shopify-token", `${B}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${E}`),
  shape("sendgrid-api-key", `${B}SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])`),
  shape("mailgun-api-key", `${B}key-[0-9a-f]{32}${E}`),
  shape("mailchimp-api-key", `${B}[0-9a-f]{32}-us\\d{1,2}${E}`),
  shape("twilio-api-key", `${B}SK[0-9a-fA-F]{32}${E}`),
  shape("twilio-auth-token", `twilio.{0,30}?(?:auth|token|secret).{0,20}?[=:"'\\s]\\s*["']?(?<s>[0-9a-f]{32})(?![0-9a-f])`, "i"),
  // Observability, infrastructure, SaaS
  shape("linear-api-key", `${B}lin_(?:api|oauth)_[A-Za-z0-9]{40}${E}`),
  shape("notion-token", `${B}(?:secret_|ntn_)[A-Za-z0-9]{43,46}${E}`),
  shape("postman-api-key", `${B}PMAK-[a-f0-9]{24}-[a-f0-9]{34}${E}`),
  shape("grafana-token", `${B}(?:glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})`),
  shape("sentry-token", `${B}sntr[ysu]_[A-Za-z0-9+/=_-]{30,}`),
  shape("newrelic-key", `${B}NR(?:AK|JS|II)-[A-Za-z0-9]{19,32}${E}`),
  shape("datadog-key", `(?:datadog|\\bdd)[_-]?(?:api|app)[_-]?key.{0,20}?[=:"'\\s]\\s*["']?(?<s>[a-f0-9]{32,40})(?![a-f0-9])`, "i"),
  shape("vault-token", `${B}hv[sbr]\\.[A-Za-z0-9_-]{24,}`),
  shape("doppler-token", `${B}dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}${E}`),
  shape("pulumi-token", `${B}pul-[a-f0-9]{40}${E}`),
  shape("age-secret-key", `${B}AGE-SECRET-KEY-1[0-9A-Z]{58}${E}`),
  shape("jwt", `${B}eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{0,}`),
  // Credentials in HTTP headers written out in code, docs and curl commands.
  shape("bearer-token", `\\b[Bb]earer\\s+(?<s>[A-Za-z0-9_\\-.~+/]{20,}=*)`),
  shape("basic-auth", `Authorization["']?\\s*[:=]\\s*["']?Basic\\s+(?<s>[A-Za-z0-9+/]{8,}={0,2})`, "i"),
];

export function findTokenShapes(text: string): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  for (const { kind, pattern } of TOKEN_SHAPES) {
    pattern.lastIndex = 0;
    for (const match of text.matchAll(pattern)) {
      const span = match.indices?.groups?.s ?? match.indices?.[0];
      if (span === undefined) continue;
      const [start, end] = span;
      if (isPlaceholderValue(text.slice(start, end))) continue;
      findings.push({ kind, start, end });
    }
  }
  return findings;
}
