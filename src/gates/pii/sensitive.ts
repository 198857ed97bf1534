/**
 * The sensitive-identifier classifier: does a name (variable, property, object key, header, metric
 * label, chain like `req.headers.authorization`) denote a secret or personal data?
 *
 * Matching is on tokens, never on substrings: `userEmail`, `user_email`, `EMAIL_ADDR` and `x-user-email`
 * all become `user email`, while `emailVerified` (a boolean), `tokenizer` (one token) and `tokenCount`
 * (a number) do not match. A term is rejected when a word after it turns the name into metadata about
 * the value (`passwordHash`, `tokenExpiresAt`, `emailTemplate`, `cardLast4`), when a word before it makes
 * it a flag, a count or a transformed value (`hasPassword`, `numEmails`, `maskedEmail`), or when the name
 * starts with a verb (`validateEmail`, `sendEmail`: a function, not the value).
 *
 * Used by the PII gate's sink analysis and by the metrics gate for label names, so both judge names the
 * same way. Pure and synchronous; results are cached per classifier.
 */

/** What kind of data a name denotes. */
export type SensitiveCategory =
  | 'credential'
  | 'token'
  | 'connection'
  | 'payment'
  | 'government-id'
  | 'health'
  | 'contact'
  | 'identity'
  | 'network'
  | 'custom';

/**
 * `blocker`: credentials, tokens, connection strings, payment data, government ids, health data, and the
 * configured `sensitive-fields`. `warning`: contact, identity and network data, and `personal-fields`.
 */
export type SensitiveSeverity = 'blocker' | 'warning';

/** A classified name. */
export interface SensitiveMatch {
  category: SensitiveCategory;
  severity: SensitiveSeverity;
  /** Human name of the data, for messages: "password", "API key", "email address". */
  label: string;
  /** The matched term as normalised tokens joined by spaces, e.g. `api key`. */
  term: string;
  /** The identifier that was classified, as given. */
  identifier: string;
}

/** Options from `gates.pii` (all optional). */
export interface ClassifierOptions {
  /** Extra names treated as secrets (blocker), e.g. `loyalty_number`. Matched as whole-token phrases. */
  sensitiveFields?: readonly string[];
  /** Extra names treated as personal data (warning). */
  personalFields?: readonly string[];
  /**
   * Names that are never sensitive. An entry suppresses a name equal to it (`user_email` allows
   * `userEmail`) or, when it is a term of the dictionary (`email`), every name matched by that term.
   */
  allowFields?: readonly string[];
}

/** Context that disambiguates bare `name`, `address`, `zip`, `street`: who they belong to. */
export interface ClassifyContext {
  /** The segments before the classified one, e.g. `['req', 'user']` for `req.user.name`. */
  owner?: readonly string[];
}

interface Term {
  tokens: readonly string[];
  category: SensitiveCategory;
  label: string;
  /** Words after the term that make the name metadata (on top of {@link META_AFTER}). */
  after?: ReadonlySet<string>;
  /** Words before the term that make the name something else (on top of {@link META_BEFORE}). */
  before?: ReadonlySet<string>;
  /** The word before the term must be one of these (plural `tokens` only counts as `accessTokens`…). */
  requireBefore?: ReadonlySet<string>;
  /**
   * The word right before the term (in the name, else the owner's last word: `page.token`) must not be
   * one of these (`nextPageToken`, `sync_token`).
   */
  notRightAfter?: ReadonlySet<string>;
  /** Only the whole name (`pan`, `tel`, `pin`): too ambiguous inside compounds. */
  exact?: boolean;
  /** Bare `name`/`address`/`zip`/`street`: only when owned by a person (`user.address`, `customerName`). */
  needsPerson?: boolean;
  /** Configured `personal-fields` (warning) as opposed to `sensitive-fields` (blocker). */
  personal?: boolean;
}

const SEVERITY: Record<SensitiveCategory, SensitiveSeverity> = {
  credential: 'blocker',
  token: 'blocker',
  connection: 'blocker',
  payment: 'blocker',
  'government-id': 'blocker',
  health: 'blocker',
  custom: 'blocker',
  contact: 'warning',
  identity: 'warning',
  network: 'warning',
};

const set = (words: string): ReadonlySet<string> => new Set(words.split(/\s+/).filter(Boolean));

/**
 * Words after a term that turn the name into metadata about the value: its hash, length, type, expiry,
 * whether it was verified, the template or field that shows it, the service that sends it…
 */
const META_AFTER = set(`
  id ids uuid guid ref refs name names type types kind kinds format formats length len size count counts total
  hash hashed hashes digest hmac sha md5 fingerprint checksum crc salt
  policy policies rule rules regex regexp pattern patterns validator validators validation validity valid invalid
  strength score entropy complexity min max minimum maximum limit limits
  required optional enabled disabled verified unverified confirmed validated exists present missing provided set
  changed updated created modified expires expiry expiration expired exp ttl lifetime age at date time timestamp ts
  sent received subject body template templates settings setting config configuration configs options opts
  preferences prefs label labels placeholder hint field fields input inputs element el selector
  error errors err message messages msg status state mode visible visibility shown hidden toggle
  reset forgot request requests flow service services client clients sender provider providers manager store
  queue job jobs worker handler handlers helper helpers util utils module transport endpoint endpoints url urls
  uri uris link links path paths domain host prefix suffix last mask masked redacted version versions arn location
  source scheme strategy algorithm alg method methods country region city parser consent banner file files chain
  key keys payload claims schema dto model component view page screen modal dialog form button icon
  column table index regexes enum
`);

/**
 * Words before a term that make the name a flag (`hasPassword`, `isEmailVerified`), a count
 * (`numEmails`), a transformed value (`maskedEmail`, `hashedPassword`) or test data (`fakeEmail`).
 */
const META_BEFORE = set(`
  is has have had should can could must needs need did does was were will would
  allow allows allowed enable disable show hide toggle use uses no without
  num count total
  masked hashed encrypted redacted obfuscated anonymized anonymised pseudonymized pseudonymised scrubbed censored
  safe sanitized sanitised truncated
  example sample dummy fake mock test
`);

/**
 * A name that starts with one of these verbs is a function or an action (`validateEmail`,
 * `sendPasswordReset`, `hashPassword`), not the value itself.
 */
const VERBS = set(`
  get set send fetch load find validate verify check update change format parse normalize normalise mask hash
  encrypt decrypt encode decode generate gen create make build compute calculate handle on render display print
  log store save delete remove clear require ensure assert compare match extract read write lookup
  resolve sign rotate revoke issue invalidate expire upsert insert apply strip redact sanitize sanitise
  scrub censor obfuscate anonymize anonymise notify
`);

/** Owners that make bare `name`/`address`/`zip`/`street` personal data. */
const PEOPLE = set(`
  user users customer customers member members person people patient patients employee employees contact contacts
  recipient recipients sender buyer seller owner profile applicant candidate student guest passenger traveler
  traveller subscriber shopper me cardholder beneficiary payer payee billing shipping delivery home
`);

/**
 * Owners whose contact details belong to no person: a group's mailing list, a team channel, the support
 * mailbox, a service account (`incident.tacticalGroup.email`, `config.support.email`).
 */
const NOT_PEOPLE = set(`
  group groups team teams list lists channel channels org organization organisation company tenant support service
  services bot bots system noreply mailbox distribution alias sender from reply
`);

/** Words before bare `name` inside one identifier that make it a person's name (`customerName`). */
const NAME_OWNERS = set(`
  customer member person patient employee contact recipient buyer seller owner applicant candidate student guest
  passenger traveler traveller subscriber shopper cardholder beneficiary payer payee holder account holder
`);

/** Words before `ip`/`address` that make it a server's address, not a person's. */
const SERVER = set(`
  server host bind listen local localhost pod node container gateway dns vpc subnet cluster service upstream
  backend proxy internal private public loopback broadcast multicast target destination docker kube k8s redis db
  database smtp api peer nat egress ingress lb
`);

/**
 * The word right before `token` that makes it a position in a list or a stream (pagination, sync and
 * stream tokens: `nextPageToken`, `syncToken`, `since_token`), an LLM token count, a UI design token or a
 * decoded payload. Only the word right before counts: `nextAccessToken` is still an access token.
 */
const NOT_AUTH_TOKEN = set(`
  page next prev previous continuation pagination cursor sync stream resume since from to start end batch
  checkpoint position offset now cancellation cancel abort injection design theme
  color colour style lexer parser syntax prompt completion input output max total num count llm model embedding
  bucket rate limit throttle used remaining spent decoded verified parsed
`);

/** Owners whose `token` is a position in a stream or a list: `stream.last_token`, `page.token`. */
const POSITION_OWNERS = set('stream streams sync page pagination cursor continuation batch checkpoint replication');

/**
 * True when a type names a stream, sync or pagination position (`StreamToken`, `RoomStreamToken`,
 * `Optional[PageToken]`), whose values are positions, not credentials.
 */
export function isPositionTokenType(typeText: string): boolean {
  const tokens = tokenize(typeText);
  return tokens.some((t, i) => t === 'token' && i > 0 && NOT_AUTH_TOKEN.has(tokens[i - 1]!));
}

const term = (
  phrase: string,
  category: SensitiveCategory,
  label: string,
  extra: Omit<Term, 'tokens' | 'category' | 'label'> = {},
): Term => ({ tokens: phrase.split(' '), category, label, ...extra });

const CARD_META = set('brand type last fingerprint country funding network holder issuer bin art image');
const PHONE_META = set('code prefix country type verified model os brand carrier');
const EMAIL_META = set(`
  notification notifications reminder reminders opt optin consent frequency verification change changes
  sender domain transport
`);
const IP_META = set(
  'version family range ranges cidr block allowlist whitelist blocklist blacklist pool subnet netmask',
);
const SECRET_META = set('engine mount backend');
/** `resetPassword`, `forgotPassword`: a flow or a flag more often than the value. */
const PASSWORD_BEFORE = set('reset forgot forgotten lost');

/** The dictionary. Longer phrases are tried first, so `email address` wins over `email`. */
const TERMS: readonly Term[] = [
  // Credentials and secrets.
  term('password', 'credential', 'password', { before: PASSWORD_BEFORE }),
  term('passwords', 'credential', 'password', { before: PASSWORD_BEFORE }),
  term('passwd', 'credential', 'password'),
  term('pwd', 'credential', 'password'),
  term('passphrase', 'credential', 'passphrase'),
  term('passcode', 'credential', 'passcode'),
  term('pass word', 'credential', 'password'),
  term('secret', 'credential', 'secret', { after: SECRET_META }),
  term('secrets', 'credential', 'secret', { after: SECRET_META }),
  term('api key', 'credential', 'API key'),
  term('api keys', 'credential', 'API key'),
  term('apikey', 'credential', 'API key'),
  term('private key', 'credential', 'private key'),
  term('privkey', 'credential', 'private key'),
  term('signing key', 'credential', 'signing key'),
  term('secret key', 'credential', 'secret key'),
  term('encryption key', 'credential', 'encryption key'),
  term('master key', 'credential', 'master key'),
  term('session key', 'credential', 'session key'),
  term('ssh key', 'credential', 'SSH key'),
  term('hmac key', 'credential', 'HMAC key'),
  term('access key', 'credential', 'access key'),
  term('credentials', 'credential', 'credentials'),
  term('credential', 'credential', 'credentials'),
  term('creds', 'credential', 'credentials'),
  term('basic auth', 'credential', 'basic-auth credentials'),
  term('otp', 'credential', 'one-time password'),
  term('totp', 'credential', 'one-time password'),
  term('hotp', 'credential', 'one-time password'),
  term('mfa code', 'credential', 'MFA code'),
  term('2 fa code', 'credential', 'MFA code'),
  term('two factor code', 'credential', 'MFA code'),
  term('verification code', 'credential', 'verification code'),
  term('one time password', 'credential', 'one-time password'),
  term('one time code', 'credential', 'one-time code'),
  term('security answer', 'credential', 'security answer'),
  term('security code', 'credential', 'security code'),
  term('pin', 'credential', 'PIN', { exact: true }),
  term('pin code', 'credential', 'PIN'),
  term('pin number', 'credential', 'PIN'),
  term('card pin', 'credential', 'PIN'),
  // Tokens and sessions.
  term('token', 'token', 'token', { notRightAfter: NOT_AUTH_TOKEN }),
  term('tokens', 'token', 'token', {
    requireBefore: set(
      'access refresh auth api session bearer id csrf xsrf reset verification invite jwt oauth personal push device',
    ),
  }),
  term('jwt', 'token', 'JWT'),
  term('jwts', 'token', 'JWT'),
  term('bearer', 'token', 'bearer token'),
  term('authorization', 'token', 'Authorization header'),
  term('proxy authorization', 'token', 'Proxy-Authorization header'),
  term('authorization code', 'token', 'authorization code'),
  term('auth code', 'token', 'authorization code'),
  term('auth header', 'token', 'Authorization header'),
  term('cookie', 'token', 'cookie'),
  term('cookies', 'token', 'cookie'),
  term('set cookie', 'token', 'Set-Cookie header'),
  term('session id', 'token', 'session id'),
  term('sessionid', 'token', 'session id'),
  term('session ids', 'token', 'session id'),
  term('sid', 'token', 'session id'),
  term('jsessionid', 'token', 'session id'),
  term('connect sid', 'token', 'session id'),
  term('magic link', 'token', 'magic link (it embeds a login token)'),
  term('reset link', 'token', 'password-reset link (it embeds a token)'),
  term('reset url', 'token', 'password-reset link (it embeds a token)'),
  term('login link', 'token', 'login link (it embeds a token)'),
  term('invite link', 'token', 'invitation link (it embeds a token)'),
  term('verification link', 'token', 'verification link (it embeds a token)'),
  term('signed url', 'token', 'signed URL (it embeds a signature)'),
  term('presigned url', 'token', 'pre-signed URL (it embeds credentials)'),
  term('pre signed url', 'token', 'pre-signed URL (it embeds credentials)'),
  // Connection strings.
  term('database url', 'connection', 'database URL'),
  term('database uri', 'connection', 'database URL'),
  term('db url', 'connection', 'database URL'),
  term('db uri', 'connection', 'database URL'),
  term('dsn', 'connection', 'DSN'),
  term('connection string', 'connection', 'connection string'),
  term('conn string', 'connection', 'connection string'),
  term('conn str', 'connection', 'connection string'),
  term('connection uri', 'connection', 'connection string'),
  term('connection url', 'connection', 'connection string'),
  term('redis url', 'connection', 'Redis URL'),
  term('amqp url', 'connection', 'AMQP URL'),
  term('mongo url', 'connection', 'MongoDB URI'),
  term('mongo uri', 'connection', 'MongoDB URI'),
  term('mongodb uri', 'connection', 'MongoDB URI'),
  term('mongodb url', 'connection', 'MongoDB URI'),
  term('postgres url', 'connection', 'Postgres URL'),
  term('mysql url', 'connection', 'MySQL URL'),
  term('sqlalchemy database uri', 'connection', 'database URL'),
  // Payment.
  term('card number', 'payment', 'card number', { after: CARD_META }),
  term('card no', 'payment', 'card number', { after: CARD_META }),
  term('card num', 'payment', 'card number', { after: CARD_META }),
  term('card pan', 'payment', 'card number', { after: CARD_META }),
  term('credit card', 'payment', 'card number', { after: CARD_META }),
  term('debit card', 'payment', 'card number', { after: CARD_META }),
  term('cc number', 'payment', 'card number', { after: CARD_META }),
  term('cc num', 'payment', 'card number', { after: CARD_META }),
  term('ccnum', 'payment', 'card number', { after: CARD_META }),
  term('pan', 'payment', 'card number (PAN)', { exact: true }),
  term('primary account number', 'payment', 'card number (PAN)'),
  term('cvv', 'payment', 'card security code'),
  term('cvc', 'payment', 'card security code'),
  term('card security code', 'payment', 'card security code'),
  term('card expiry', 'payment', 'card expiry date'),
  term('card expiration', 'payment', 'card expiry date'),
  term('card exp', 'payment', 'card expiry date'),
  term('card expiry date', 'payment', 'card expiry date'),
  term('card expiration date', 'payment', 'card expiry date'),
  term('iban', 'payment', 'IBAN'),
  term('account number', 'payment', 'bank account number'),
  term('bank account', 'payment', 'bank account number'),
  term('routing number', 'payment', 'routing number'),
  term('sort code', 'payment', 'sort code'),
  // Government ids.
  term('ssn', 'government-id', 'social security number'),
  term('social security', 'government-id', 'social security number'),
  term('social security number', 'government-id', 'social security number'),
  term('national id', 'government-id', 'national id number'),
  term('national identity number', 'government-id', 'national id number'),
  term('national insurance', 'government-id', 'national insurance number'),
  term('national insurance number', 'government-id', 'national insurance number'),
  term('ni number', 'government-id', 'national insurance number'),
  term('nino', 'government-id', 'national insurance number'),
  term('passport number', 'government-id', 'passport number'),
  term('passport no', 'government-id', 'passport number'),
  term('passport id', 'government-id', 'passport number'),
  term('driver license', 'government-id', "driver's licence number"),
  term('drivers license', 'government-id', "driver's licence number"),
  term('driver licence', 'government-id', "driver's licence number"),
  term('drivers licence', 'government-id', "driver's licence number"),
  term('driving license', 'government-id', "driver's licence number"),
  term('driving licence', 'government-id', "driver's licence number"),
  term('tax id', 'government-id', 'tax id'),
  term('tax number', 'government-id', 'tax id'),
  term('tax identification number', 'government-id', 'tax id'),
  term('tin', 'government-id', 'tax id', { exact: true }),
  term('vat id', 'government-id', 'VAT id'),
  term('vat number', 'government-id', 'VAT id'),
  term('nhs number', 'government-id', 'NHS number'),
  term('aadhaar', 'government-id', 'Aadhaar number'),
  term('aadhaar number', 'government-id', 'Aadhaar number'),
  term('pesel', 'government-id', 'PESEL number'),
  term('cpf', 'government-id', 'CPF number', { exact: true }),
  // Health.
  term('diagnosis', 'health', 'diagnosis'),
  term('diagnoses', 'health', 'diagnosis'),
  term('medical record', 'health', 'medical record'),
  term('medical records', 'health', 'medical record'),
  term('medical record number', 'health', 'medical record number'),
  term('mrn', 'health', 'medical record number'),
  term('medical history', 'health', 'medical history'),
  term('medical condition', 'health', 'medical condition'),
  term('health record', 'health', 'health record'),
  term('health condition', 'health', 'medical condition'),
  term('prescription', 'health', 'prescription'),
  term('prescriptions', 'health', 'prescription'),
  term('medication', 'health', 'medication'),
  term('medications', 'health', 'medication'),
  term('allergy', 'health', 'allergy'),
  term('allergies', 'health', 'allergy'),
  term('blood type', 'health', 'blood type'),
  term('blood group', 'health', 'blood type'),
  term('lab result', 'health', 'lab result'),
  term('lab results', 'health', 'lab result'),
  // Contact.
  term('email', 'contact', 'email address', { after: EMAIL_META }),
  term('emails', 'contact', 'email address', { after: EMAIL_META }),
  term('e mail', 'contact', 'email address', { after: EMAIL_META }),
  term('email address', 'contact', 'email address', { after: EMAIL_META }),
  term('email addr', 'contact', 'email address', { after: EMAIL_META }),
  term('mail address', 'contact', 'email address', { after: EMAIL_META }),
  term('phone', 'contact', 'phone number', { after: PHONE_META }),
  term('phones', 'contact', 'phone number', { after: PHONE_META }),
  term('phone number', 'contact', 'phone number', { after: PHONE_META }),
  term('phone no', 'contact', 'phone number', { after: PHONE_META }),
  term('mobile number', 'contact', 'phone number', { after: PHONE_META }),
  term('mobile phone', 'contact', 'phone number', { after: PHONE_META }),
  term('cell phone', 'contact', 'phone number', { after: PHONE_META }),
  term('cellphone', 'contact', 'phone number', { after: PHONE_META }),
  term('telephone', 'contact', 'phone number', { after: PHONE_META }),
  term('tel', 'contact', 'phone number', { exact: true }),
  term('msisdn', 'contact', 'phone number'),
  term('fax number', 'contact', 'fax number'),
  term('street address', 'contact', 'postal address'),
  term('postal address', 'contact', 'postal address'),
  term('billing address', 'contact', 'postal address'),
  term('shipping address', 'contact', 'postal address'),
  term('home address', 'contact', 'postal address'),
  term('mailing address', 'contact', 'postal address'),
  term('delivery address', 'contact', 'postal address'),
  term('address line', 'contact', 'postal address'),
  term('address', 'contact', 'postal address', { needsPerson: true }),
  term('addresses', 'contact', 'postal address', { needsPerson: true }),
  term('street', 'contact', 'postal address', { needsPerson: true }),
  term('zip', 'contact', 'postal code', { needsPerson: true }),
  term('zip code', 'contact', 'postal code'),
  term('zipcode', 'contact', 'postal code'),
  term('postcode', 'contact', 'postal code'),
  term('post code', 'contact', 'postal code'),
  term('postal code', 'contact', 'postal code'),
  // Identity.
  term('first name', 'identity', 'first name'),
  term('firstname', 'identity', 'first name'),
  term('last name', 'identity', 'last name'),
  term('lastname', 'identity', 'last name'),
  term('full name', 'identity', 'full name'),
  term('fullname', 'identity', 'full name'),
  term('given name', 'identity', 'first name'),
  term('family name', 'identity', 'last name'),
  term('surname', 'identity', 'last name'),
  term('middle name', 'identity', 'middle name'),
  term('maiden name', 'identity', 'maiden name'),
  term('legal name', 'identity', 'legal name'),
  term('name', 'identity', 'name', { needsPerson: true }),
  term('date of birth', 'identity', 'date of birth'),
  term('dob', 'identity', 'date of birth'),
  term('birth date', 'identity', 'date of birth'),
  term('birthdate', 'identity', 'date of birth'),
  term('birthday', 'identity', 'date of birth'),
  term('gender', 'identity', 'gender'),
  term('ethnicity', 'identity', 'ethnicity'),
  term('religion', 'identity', 'religion'),
  term('nationality', 'identity', 'nationality'),
  // Network and device identifiers.
  term('ip', 'network', 'IP address', { after: IP_META, before: SERVER }),
  term('ips', 'network', 'IP address', { after: IP_META, before: SERVER }),
  term('ip address', 'network', 'IP address', { after: IP_META, before: SERVER }),
  term('ip addr', 'network', 'IP address', { after: IP_META, before: SERVER }),
  term('ip addresses', 'network', 'IP address', { after: IP_META, before: SERVER }),
  term('remote addr', 'network', 'client IP address'),
  term('remote address', 'network', 'client IP address'),
  term('x forwarded for', 'network', 'client IP address (X-Forwarded-For)'),
  term('forwarded for', 'network', 'client IP address (X-Forwarded-For)'),
  term('x real ip', 'network', 'client IP address (X-Real-IP)'),
  term('cf connecting ip', 'network', 'client IP address (CF-Connecting-IP)'),
  term('true client ip', 'network', 'client IP address (True-Client-IP)'),
  term('mac address', 'network', 'MAC address'),
  term('imei', 'network', 'IMEI'),
  term('idfa', 'network', 'advertising id'),
  term('gaid', 'network', 'advertising id'),
  term('advertising id', 'network', 'advertising id'),
  term('geolocation', 'network', 'geolocation'),
  term('geo location', 'network', 'geolocation'),
  term('latitude', 'network', 'geolocation'),
  term('longitude', 'network', 'geolocation'),
];

/**
 * Splits an identifier, key, header name or dotted chain into lower-case word tokens:
 * `userEmail` → [user, email], `EMAIL_ADDR` → [email, addr], `x-api-key` → [x, api, key],
 * `APIKey` → [api, key], `cardLast4` → [card, last, 4].
 */
export function tokenize(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([A-Za-z])([0-9])/g, '$1 $2')
    .replace(/([0-9])([A-Za-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((t) => t.length > 0)
    .map((t) => t.toLowerCase());
}

/** The tokens of an identifier joined by single spaces: `EMAIL_ADDR` → `email addr`. */
export function normalise(identifier: string): string {
  return tokenize(identifier).join(' ');
}

interface Candidate {
  term: Term;
  start: number;
  end: number;
}

const RANK: Record<SensitiveSeverity, number> = { blocker: 2, warning: 1 };

/** A classifier with the project's configured extra and allowed fields. Create once per options. */
export class SensitiveClassifier {
  /** Terms by their first token, longest first. */
  private readonly byFirst = new Map<string, Term[]>();
  private readonly allowedNames = new Set<string>();
  /** Labels of built-in terms switched off by `allow-fields` (`email` allows `emailAddress` too). */
  private readonly allowedLabels = new Set<string>();
  private readonly cache = new Map<string, Omit<SensitiveMatch, 'identifier'> | null>();

  constructor(options: ClassifierOptions = {}) {
    const custom: Term[] = [];
    const add = (fields: readonly string[] | undefined, personal: boolean) => {
      for (const field of fields ?? []) {
        const tokens = tokenize(field);
        if (tokens.length) custom.push({ tokens, category: 'custom', label: tokens.join(' '), personal });
      }
    };
    add(options.sensitiveFields, false);
    add(options.personalFields, true);
    for (const field of options.allowFields ?? []) {
      const n = normalise(field);
      if (!n) continue;
      this.allowedNames.add(n);
      for (const t of TERMS) if (t.tokens.join(' ') === n) this.allowedLabels.add(t.label);
    }
    // Configured terms win over built-in ones with the same phrase.
    const customPhrases = new Set(custom.map((t) => t.tokens.join(' ')));
    const terms = [...custom, ...TERMS.filter((t) => !customPhrases.has(t.tokens.join(' ')))];
    for (const t of terms) {
      const list = this.byFirst.get(t.tokens[0]!) ?? [];
      list.push(t);
      this.byFirst.set(t.tokens[0]!, list);
    }
    for (const list of this.byFirst.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);
  }

  /**
   * Classifies one name (a variable, a property, an object key, a header or label name). `context.owner`
   * is the chain before it, which decides bare `name`/`address` (`user.name` is personal, `product.name`
   * is not). Returns undefined when the name is not sensitive.
   */
  classify(identifier: string, context: ClassifyContext = {}): SensitiveMatch | undefined {
    const tokens = tokenize(identifier);
    if (tokens.length === 0) return undefined;
    const ownerTokens = (context.owner ?? []).flatMap((s) => tokenize(s));
    const ownerIsPerson = ownerTokens.length > 0 && PEOPLE.has(ownerTokens[ownerTokens.length - 1]!);
    const ownerLast = ownerTokens[ownerTokens.length - 1];
    const ownerIsGroup = ownerLast !== undefined && NOT_PEOPLE.has(ownerLast);
    const key = `${tokens.join(' ')}\u0000${ownerIsPerson ? 1 : 0}${ownerIsGroup ? 1 : 0}\u0000${ownerLast ?? ''}`;
    let found = this.cache.get(key);
    if (found === undefined) {
      found = this.match(tokens, ownerIsPerson, ownerLast) ?? null;
      // A group's or a service's contact details are not personal data.
      if (found && ownerIsGroup && found.category === 'contact') found = null;
      this.cache.set(key, found);
    }
    return found ? { ...found, identifier } : undefined;
  }

  /**
   * Classifies a property chain such as `req.headers.authorization` or `user.profile.email`: the last
   * segment decides, with the segments before it as owner. Generic accessors at the end (`value`,
   * `current`) defer to the segment before; `length`/`size` are never sensitive.
   */
  classifyChain(segments: readonly string[]): SensitiveMatch | undefined {
    let end = segments.length;
    while (end > 1 && GENERIC_ACCESSORS.has(segments[end - 1]!)) end--;
    const last = segments[end - 1];
    if (last === undefined || SCALAR_ACCESSORS.has(last)) return undefined;
    const owner = segments.slice(0, end - 1);
    // `card.number`, `req.session.id`, `config.api.key`: the owner and the property form one term. Only a
    // term that spans both counts: `token.environment` is the token's environment, not the token.
    const joined =
      owner.length > 0 && !this.mentionsTerm(last) && !this.isAllowed(last)
        ? this.classify(`${owner[owner.length - 1]}_${last}`, { owner: owner.slice(0, -1) })
        : undefined;
    const lastTokens = tokenize(last);
    const spans =
      joined !== undefined &&
      joined.term.split(' ').length > lastTokens.length &&
      joined.term.endsWith(lastTokens.join(' '));
    const match = this.classify(last, { owner }) ?? (spans ? joined : undefined);
    return match ? { ...match, identifier: segments.join('.') } : undefined;
  }

  /**
   * True when some dictionary term occurs in the name, accepted or not: `emailVerified` mentions
   * `email` (and is metadata about it), `number` mentions nothing. A name that mentions a term says
   * what it holds; one that does not leaves it to its owner or a label.
   */
  mentionsTerm(identifier: string): boolean {
    const tokens = tokenize(identifier);
    return tokens.some(
      (_, i) => this.byFirst.get(tokens[i]!)?.some((term) => term.tokens.every((w, k) => tokens[i + k] === w)) ?? false,
    );
  }

  /** True when the name is allowed by `allow-fields`. */
  isAllowed(identifier: string): boolean {
    return this.allowedNames.has(normalise(identifier));
  }

  private match(
    tokens: readonly string[],
    ownerIsPerson: boolean,
    ownerLast?: string,
  ): Omit<SensitiveMatch, 'identifier'> | undefined {
    if (this.allowedNames.has(tokens.join(' '))) return undefined;
    let best: Candidate | undefined;
    for (let i = 0; i < tokens.length; i++) {
      const t = this.byFirst.get(tokens[i]!)?.find((term) => term.tokens.every((w, k) => tokens[i + k] === w));
      if (!t) continue;
      const c: Candidate = { term: t, start: i, end: i + t.tokens.length };
      if (!this.accepts(c, tokens, ownerIsPerson, ownerLast)) continue;
      // The most severe term wins; among equals the rightmost, the head of an English compound.
      if (!best || RANK[severityOf(t)] >= RANK[severityOf(best.term)]) best = c;
      // Words inside an accepted phrase do not start another one (`card security code` is one term).
      i = c.end - 1;
    }
    if (!best) return undefined;
    return {
      category: best.term.category,
      severity: severityOf(best.term),
      label: best.term.label,
      term: best.term.tokens.join(' '),
    };
  }

  private accepts(c: Candidate, tokens: readonly string[], ownerIsPerson: boolean, ownerLast?: string): boolean {
    const { term: t, start, end } = c;
    if (t.notRightAfter) {
      const prev = start > 0 ? tokens[start - 1] : ownerLast;
      if (prev !== undefined && t.notRightAfter.has(prev)) return false;
      if (ownerLast !== undefined && POSITION_OWNERS.has(ownerLast)) return false;
    }
    if (t.category !== 'custom' && this.allowedLabels.has(t.label)) return false;
    if (t.exact && (start !== 0 || end !== tokens.length)) return false;
    const before = tokens.slice(0, start);
    const after = tokens.slice(end);
    if (t.category !== 'custom') {
      if (after.some((w) => META_AFTER.has(w) || t.after?.has(w))) return false;
      if (before.some((w) => META_BEFORE.has(w) || t.before?.has(w))) return false;
      if (before.length > 0 && VERBS.has(before[0]!)) return false;
    }
    if (t.requireBefore && !(before.length > 0 && t.requireBefore.has(before[before.length - 1]!))) return false;
    if (t.needsPerson) {
      const prev = before[before.length - 1];
      const owned =
        prev !== undefined ? (t.tokens[0] === 'name' ? NAME_OWNERS.has(prev) : PEOPLE.has(prev)) : ownerIsPerson;
      if (!owned) return false;
    }
    return true;
  }
}

function severityOf(t: Term): SensitiveSeverity {
  if (t.category === 'custom') return t.personal ? 'warning' : 'blocker';
  return SEVERITY[t.category];
}

/** Trailing accessors that are the value itself (`passwordInput.value`, `tokenRef.current`). */
const GENERIC_ACCESSORS = new Set(['value', 'current', 'raw', 'val', 'text', 'data']);
/** Trailing accessors whose value is a number or flag, never the sensitive value. */
const SCALAR_ACCESSORS = new Set(['length', 'size', 'count', 'byteLength']);

/**
 * Header names whose values are credentials (case-insensitive), from the catalogue's list.
 */
export const SECRET_HEADERS: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amz-security-token',
  'x-goog-iap-jwt-assertion',
];

/** Header names whose values identify a person's network location. */
export const PERSONAL_HEADERS: readonly string[] = [
  'x-forwarded-for',
  'x-real-ip',
  'cf-connecting-ip',
  'true-client-ip',
];

const defaultClassifiers = new Map<string, SensitiveClassifier>();

/**
 * A classifier for the given options, cached by their content (the gate and the metrics gate call
 * this per file with the same options).
 */
export function classifierFor(options: ClassifierOptions = {}): SensitiveClassifier {
  const key = JSON.stringify([options.sensitiveFields ?? [], options.personalFields ?? [], options.allowFields ?? []]);
  let c = defaultClassifiers.get(key);
  if (!c) {
    c = new SensitiveClassifier(options);
    defaultClassifiers.set(key, c);
  }
  return c;
}

/** Classifies one identifier with the default dictionary (or the given options). */
export function classifyIdentifier(
  identifier: string,
  options?: ClassifierOptions,
  context?: ClassifyContext,
): SensitiveMatch | undefined {
  return classifierFor(options).classify(identifier, context);
}

/** Human phrase for a category, for messages ("a credential", "contact data"). */
export const CATEGORY_LABEL: Record<SensitiveCategory, string> = {
  credential: 'credential',
  token: 'session or auth token',
  connection: 'connection string',
  payment: 'payment data',
  'government-id': 'government id',
  health: 'health data',
  contact: 'contact data',
  identity: 'identity data',
  network: 'network identifier',
  custom: 'configured sensitive field',
};

/** Words that make a secret's name the name of its hash or ciphertext: `passwordHash`, `hashedSecret`. */
const STORED_FORM = new Set(['hash', 'hashed', 'digest', 'encrypted', 'enc', 'cipher', 'ciphertext', 'bcrypt']);

/** A database column whose name says it holds a secret, as a stored row carries it. */
export interface SecretColumnMatch {
  /** "password", "API key", "token". */
  label: string;
  /** The column holds a hash or ciphertext of the secret (`passwordHash`), not the secret itself. */
  stored: boolean;
  /** The secret is a password (plain or hashed): a hash of a human-chosen password can be guessed offline. */
  password: boolean;
}

/**
 * Whether a column name says it holds a secret: a credential or token by the classifier (`password`,
 * `apiKey`, `refresh_token`, `twoFactorSecret`), or the hash or ciphertext of one (`passwordHash`,
 * `hashedPassword`, `hashedSecret`, `encryptedToken`), which the classifier leaves out on purpose for
 * names in code (a hash in a log line says nothing) but which a whole row still carries.
 */
export function secretColumn(classifier: SensitiveClassifier, name: string): SecretColumnMatch | undefined {
  // A `sessionId` column is a reference to a session row (analytics sessions, foreign keys), not its cookie.
  const isSecret = (m: SensitiveMatch | undefined) =>
    m !== undefined &&
    m.severity === 'blocker' &&
    (m.category === 'credential' || m.category === 'token') &&
    m.label !== 'session id';
  // `clientCredentialsScopes`: what a grant may do, not the grant's secret.
  if (/^(scopes?|grants?)$/.test(tokenize(name).at(-1) ?? '')) return undefined;
  const direct = classifier.classify(name);
  if (isSecret(direct)) return { label: direct!.label, stored: false, password: direct!.label === 'password' };
  const tokens = tokenize(name);
  const rest = tokens.filter((t) => !STORED_FORM.has(t));
  if (rest.length === tokens.length || rest.length === 0) return undefined;
  const stored = classifier.classify(rest.join('_'));
  if (!isSecret(stored)) return undefined;
  return { label: stored!.label, stored: true, password: stored!.label === 'password' };
}
