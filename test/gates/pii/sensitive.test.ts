/**
 * The sensitive-identifier classifier: tokenisation, every category, and the traps (metadata names,
 * flags, counts, transformed values, function names, server addresses) that must stay clean.
 */
import { describe, expect, it } from 'vitest';
import {
  classifierFor,
  classifyIdentifier,
  normalise,
  secretColumn,
  SensitiveClassifier,
  tokenize,
  type SensitiveCategory,
} from '../../../src/gates/pii/sensitive.js';

describe('tokenize', () => {
  it.each([
    ['userEmail', ['user', 'email']],
    ['user_email', ['user', 'email']],
    ['EMAIL_ADDR', ['email', 'addr']],
    ['x-api-key', ['x', 'api', 'key']],
    ['APIKey', ['api', 'key']],
    ['userIPAddress', ['user', 'ip', 'address']],
    ['cardLast4', ['card', 'last', '4']],
    ['HTTP_AUTHORIZATION', ['http', 'authorization']],
    ['set-cookie', ['set', 'cookie']],
    ['req.headers["x-api-key"]', ['req', 'headers', 'x', 'api', 'key']],
    ['oauth2Token', ['oauth', '2', 'token']],
    ['', []],
    ['__proto__', ['proto']],
  ])('%s', (input, tokens) => {
    expect(tokenize(input)).toEqual(tokens);
  });

  it('normalise joins tokens with single spaces', () => {
    expect(normalise('EMAIL_ADDR')).toBe('email addr');
    expect(normalise('emailAddress')).toBe(normalise('email-address'));
  });
});

const category = (id: string, owner?: string[]): SensitiveCategory | undefined =>
  classifyIdentifier(id, undefined, owner ? { owner } : undefined)?.category;

describe('secrets (blocker)', () => {
  it.each([
    ['password', 'credential'],
    ['userPassword', 'credential'],
    ['new_password', 'credential'],
    ['confirmPassword', 'credential'],
    ['DB_PASSWORD', 'credential'],
    ['passwd', 'credential'],
    ['pwd', 'credential'],
    ['passphrase', 'credential'],
    ['clientSecret', 'credential'],
    ['client_secret', 'credential'],
    ['JWT_SECRET', 'credential'],
    ['webhookSecret', 'credential'],
    ['apiKey', 'credential'],
    ['api_key', 'credential'],
    ['x-api-key', 'credential'],
    ['API_KEY', 'credential'],
    ['privateKey', 'credential'],
    ['PRIVATE_KEY_PEM', 'credential'],
    ['secretAccessKey', 'credential'],
    ['credentials', 'credential'],
    ['awsCredentials', 'credential'],
    ['otp', 'credential'],
    ['totpCode', 'credential'],
    ['mfaCode', 'credential'],
    ['verificationCode', 'credential'],
    ['pin', 'credential'],
    ['basicAuth', 'credential'],
    ['token', 'token'],
    ['accessToken', 'token'],
    ['access_token', 'token'],
    ['refreshToken', 'token'],
    ['idToken', 'token'],
    ['csrfToken', 'token'],
    ['resetToken', 'token'],
    ['passwordResetToken', 'token'],
    ['emailVerificationToken', 'token'],
    ['x-auth-token', 'token'],
    ['jwt', 'token'],
    ['bearer', 'token'],
    ['authorization', 'token'],
    ['Authorization', 'token'],
    ['authorizationHeader', 'token'],
    ['authHeader', 'token'],
    ['HTTP_AUTHORIZATION', 'token'],
    ['proxy-authorization', 'token'],
    ['cookie', 'token'],
    ['cookies', 'token'],
    ['set-cookie', 'token'],
    ['sessionId', 'token'],
    ['session_id', 'token'],
    ['sid', 'token'],
    ['connect.sid', 'token'],
    ['JSESSIONID', 'token'],
    ['accessTokens', 'token'],
    ['nextAccessToken', 'token'],
    ['pageAccessToken', 'token'],
    ['syncAuthToken', 'token'],
    ['magicLink', 'token'],
    ['passwordResetUrl', 'token'],
    ['DATABASE_URL', 'connection'],
    ['databaseUrl', 'connection'],
    ['SENTRY_DSN', 'connection'],
    ['connectionString', 'connection'],
    ['REDIS_URL', 'connection'],
    ['mongoUri', 'connection'],
    ['cardNumber', 'payment'],
    ['card_number', 'payment'],
    ['creditCard', 'payment'],
    ['ccNumber', 'payment'],
    ['pan', 'payment'],
    ['cvv', 'payment'],
    ['cvc', 'payment'],
    ['cardExpiryDate', 'payment'],
    ['iban', 'payment'],
    ['IBAN', 'payment'],
    ['accountNumber', 'payment'],
    ['bankAccountNumber', 'payment'],
    ['routingNumber', 'payment'],
    ['sortCode', 'payment'],
    ['ssn', 'government-id'],
    ['SSN', 'government-id'],
    ['socialSecurityNumber', 'government-id'],
    ['taxId', 'government-id'],
    ['tax_id', 'government-id'],
    ['tin', 'government-id'],
    ['vatNumber', 'government-id'],
    ['nationalId', 'government-id'],
    ['passportNumber', 'government-id'],
    ['driversLicenseNumber', 'government-id'],
    ['nhsNumber', 'government-id'],
    ['diagnosis', 'health'],
    ['medicalRecordNumber', 'health'],
    ['bloodType', 'health'],
    ['allergies', 'health'],
  ] as const)('%s → %s', (id, cat) => {
    const m = classifyIdentifier(id);
    expect(m?.category).toBe(cat);
    expect(m?.severity).toBe('blocker');
  });
});

describe('personal data (warning)', () => {
  it.each([
    ['email', 'contact'],
    ['userEmail', 'contact'],
    ['user_email', 'contact'],
    ['EMAIL_ADDR', 'contact'],
    ['emailAddress', 'contact'],
    ['e-mail', 'contact'],
    ['customerEmail', 'contact'],
    ['emails', 'contact'],
    ['phone', 'contact'],
    ['phoneNumber', 'contact'],
    ['mobile_number', 'contact'],
    ['msisdn', 'contact'],
    ['billingAddress', 'contact'],
    ['shipping_address', 'contact'],
    ['addressLine1', 'contact'],
    ['zipCode', 'contact'],
    ['postcode', 'contact'],
    ['firstName', 'identity'],
    ['last_name', 'identity'],
    ['fullName', 'identity'],
    ['surname', 'identity'],
    ['dateOfBirth', 'identity'],
    ['dob', 'identity'],
    ['birthDate', 'identity'],
    ['customerName', 'identity'],
    ['gender', 'identity'],
    ['ip', 'network'],
    ['ipAddress', 'network'],
    ['clientIp', 'network'],
    ['client_ip', 'network'],
    ['remoteAddress', 'network'],
    ['x-forwarded-for', 'network'],
    ['x-real-ip', 'network'],
    ['lastLoginIp', 'network'],
    ['imei', 'network'],
    ['latitude', 'network'],
  ] as const)('%s → %s', (id, cat) => {
    const m = classifyIdentifier(id);
    expect(m?.category).toBe(cat);
    expect(m?.severity).toBe('warning');
  });
});

describe('not sensitive: metadata, flags, counts, transformed values, functions', () => {
  it.each([
    // Metadata about a value, not the value.
    'emailVerified',
    'isEmailVerified',
    'email_verified',
    'emailTemplate',
    'emailSubject',
    'emailEnabled',
    'emailType',
    'emailId',
    'emailDomain',
    'emailSentAt',
    'emailNotifications',
    'emailService',
    'passwordHash',
    'password_hash',
    'hashedPassword',
    'passwordChangedAt',
    'passwordPolicy',
    'passwordLength',
    'minPasswordLength',
    'passwordStrength',
    'passwordResetRequested',
    'resetPassword',
    'forgotPassword',
    'passwordField',
    'passwordInput',
    'passwordFile',
    'tokenizer',
    'tokenize',
    'tokenized',
    'tokenCount',
    'tokenType',
    'tokenExpiresAt',
    'token_expires_in',
    'tokenTtl',
    'tokenUrl',
    'tokenEndpoint',
    'tokenId',
    'tokenPrefix',
    'tokens',
    'maxTokens',
    'promptTokens',
    'totalTokens',
    'nextPageToken',
    'pageToken',
    'next_token',
    'syncToken',
    'streamToken',
    'since_token',
    'from_token',
    'resumeToken',
    'prevBatchToken',
    'continuationToken',
    'cancellationToken',
    'InjectionToken',
    'designTokens',
    'decodedToken',
    'secretName',
    'secretArn',
    'secretsManager',
    'secretKeyRef',
    'apiKeyId',
    'apiKeyName',
    'apiKeyPrefix',
    'accessKeyId',
    'keyId',
    'cookieName',
    'cookieOptions',
    'cookieParser',
    'cookieConsent',
    'sessionIdLength',
    'sidebar',
    'cardLast4',
    'cardBrand',
    'cardType',
    'cardFingerprint',
    'cardNumberLast4',
    'phoneVerified',
    'phoneCountryCode',
    'ipVersion',
    'ipFamily',
    'serverIp',
    'hostIp',
    'bindAddress',
    'podIp',
    'ipAllowlist',
    'credentialsProvider',
    'credentialsFile',
    'authorizationUrl',
    'hasPassword',
    'hasToken',
    'shouldSendEmail',
    'numEmails',
    'emailCount',
    'maskedEmail',
    'redactedToken',
    'encryptedPassword',
    'fakeEmail',
    'exampleEmail',
    'noReplyEmail',
    // Function names: a verb first.
    'validateEmail',
    'sendEmail',
    'hashPassword',
    'verifyToken',
    'generateToken',
    'getPassword',
    'checkPassword',
    'onEmailChange',
    // Unrelated words that contain a term as a substring.
    'monkeyMode',
    'passage',
    'compass',
    'bypass',
    'tinyUrl',
    'panel',
    'pinned',
    'spinner',
    'shipping',
    'username',
    'userName',
    'userId',
    'user_id',
    'id',
    'uuid',
    'orderId',
    'status',
    'zipFile',
    'address',
    'name',
    'displayName',
    'fileName',
    'pass',
    'key',
    'secretive',
    'sessions',
    'session',
  ])('%s', (id) => {
    expect(classifyIdentifier(id)).toBeUndefined();
  });
});

describe('owners decide bare name and address', () => {
  it('a person owner makes name and address personal', () => {
    expect(category('name', ['user'])).toBe('identity');
    expect(category('name', ['req', 'user'])).toBe('identity');
    expect(category('address', ['customer'])).toBe('contact');
    expect(category('zip', ['billing'])).toBe('contact');
  });
  it('other owners do not', () => {
    expect(category('name', ['product'])).toBeUndefined();
    expect(category('name', ['file'])).toBeUndefined();
    expect(category('address', ['server'])).toBeUndefined();
    expect(category('address', ['wallet'])).toBeUndefined();
  });
});

describe('chains', () => {
  const c = classifierFor();
  it.each([
    [['req', 'headers', 'authorization'], 'token'],
    [['req', 'body', 'password'], 'credential'],
    [['user', 'email'], 'contact'],
    [['process', 'env', 'DATABASE_URL'], 'connection'],
    [['form', 'password', 'value'], 'credential'],
    [['req', 'ip'], 'network'],
    [['req', 'socket', 'remoteAddress'], 'network'],
    [['customer', 'name'], 'identity'],
    [['token', 'secret'], 'credential'],
    [['token', 'value'], 'token'],
    [['session', 'id'], 'token'],
    [['card', 'number'], 'payment'],
    [['auth', 'token'], 'token'],
  ] as const)('%j → %s', (segments, cat) => {
    expect(c.classifyChain(segments)?.category).toBe(cat);
  });
  it.each([
    [['password', 'length']],
    [['token', 'length']],
    [['user', 'emailVerified']],
    [['user', 'id']],
    [['product', 'name']],
    [['req', 'headers', 'accept']],
    [['user', 'email', 'length']],
    // The field logged decides, not the owner's name: the token's environment is not the token.
    [['token', 'environment']],
    [['apiToken', 'projectId']],
    [['credentials', 'username']],
    [['page', 'token']],
    [['response', 'sync', 'token']],
  ])('%j is not sensitive', (segments) => {
    expect(c.classifyChain(segments)).toBeUndefined();
  });
  it('reports the chain as the identifier', () => {
    expect(c.classifyChain(['req', 'headers', 'authorization'])?.identifier).toBe('req.headers.authorization');
  });
});

describe('labels', () => {
  it('names the data for messages', () => {
    expect(classifyIdentifier('x-api-key')?.label).toBe('API key');
    expect(classifyIdentifier('userEmail')?.label).toBe('email address');
    expect(classifyIdentifier('set-cookie')?.label).toBe('Set-Cookie header');
    expect(classifyIdentifier('cardSecurityCode')?.label).toBe('card security code');
    expect(classifyIdentifier('userEmail')?.term).toBe('email');
  });
  it('the most severe term wins, then the rightmost', () => {
    expect(classifyIdentifier('emailToken')?.category).toBe('token');
    expect(classifyIdentifier('cookieSecret')?.label).toBe('secret');
  });
});

describe('configuration', () => {
  it('adds sensitive and personal fields as whole-token phrases', () => {
    const c = new SensitiveClassifier({ sensitiveFields: ['loyalty_number'], personalFields: ['employeeBadge'] });
    expect(c.classify('loyaltyNumber')).toMatchObject({ category: 'custom', severity: 'blocker' });
    expect(c.classify('customerLoyaltyNumber')).toMatchObject({ category: 'custom', severity: 'blocker' });
    expect(c.classify('employee_badge')).toMatchObject({ category: 'custom', severity: 'warning' });
    expect(c.classify('loyalty')).toBeUndefined();
    expect(c.classify('loyaltyNumbers')).toBeUndefined();
  });
  it('allow-fields switches off a name or a whole term', () => {
    const c = new SensitiveClassifier({ allowFields: ['support_email', 'ip'] });
    expect(c.classify('supportEmail')).toBeUndefined();
    expect(c.classify('userEmail')?.category).toBe('contact');
    expect(c.classify('clientIp')).toBeUndefined();
    expect(c.classify('ipAddress')).toBeUndefined();
    expect(c.isAllowed('SUPPORT_EMAIL')).toBe(true);
  });
  it('caches classifiers by option content', () => {
    expect(classifierFor({ allowFields: ['a'] })).toBe(classifierFor({ allowFields: ['a'] }));
    expect(classifierFor({ allowFields: ['a'] })).not.toBe(classifierFor());
  });
});

describe('owners that are not people', () => {
  it("a group's, a team's or the support mailbox's email is not personal data", () => {
    const c = classifierFor();
    expect(c.classifyChain(['incident', 'tacticalGroup', 'email'])).toBeUndefined();
    expect(c.classifyChain(['config', 'support', 'email'])).toBeUndefined();
    expect(c.classifyChain(['team', 'phone'])).toBeUndefined();
    expect(c.classifyChain(['incident', 'commander', 'email'])?.category).toBe('contact');
    // Secrets stay secrets whoever owns them.
    expect(c.classifyChain(['service', 'apiKey'])?.category).toBe('credential');
  });
});

describe('secretColumn', () => {
  const c = classifierFor({});
  it('reads secrets and their stored forms from column names', () => {
    expect(secretColumn(c, 'password')).toEqual({ label: 'password', stored: false, password: true });
    expect(secretColumn(c, 'passwordHash')).toEqual({ label: 'password', stored: true, password: true });
    expect(secretColumn(c, 'hashed_password')).toEqual({ label: 'password', stored: true, password: true });
    expect(secretColumn(c, 'apiKey')).toMatchObject({ label: 'API key', stored: false });
    expect(secretColumn(c, 'hashedSecret')).toMatchObject({ label: 'secret', stored: true, password: false });
    expect(secretColumn(c, 'refresh_token')).toMatchObject({ label: 'token', stored: false });
  });
  it('leaves metadata and personal data out', () => {
    for (const name of [
      'email',
      'sessionId',
      'tokenType',
      'tokenExpiresAt',
      'apiKeyId',
      'salt',
      'keyHash',
      'hashedValue',
    ])
      expect(secretColumn(c, name), name).toBeUndefined();
  });
});
