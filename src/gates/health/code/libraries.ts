/**
 * What the health gate knows about client libraries: which packages talk to a database, a cache, a
 * queue or another HTTP service, which of their exports are clients or I/O functions, and which types
 * (NestJS providers, Python annotations) stand for such clients. Embedded databases (SQLite) are
 * deliberately absent: checking them is process-local.
 */
import type { DepKind } from '../model.js';

export interface LibrarySpec {
  kind: DepKind;
  /** Calls on the imported module object that do I/O (`requests.get`, `axios.get`); `*` for any. */
  moduleCalls?: readonly string[] | '*';
  /** Named exports that do I/O when called (`fetch` from undici, `urlopen`). */
  functions?: readonly string[];
  /** Named exports that are live clients (`connection` from django.db). */
  instances?: readonly string[];
  /** Named exports (or module members) that build a client when called or constructed; `*` for any. */
  factories?: readonly string[] | '*';
  /** The module object itself is callable and does I/O (`axios(…)`, `got(…)`, `knex(…)` is a factory instead). */
  callable?: boolean;
  /** Calls on clients of this library are bounded by default (and by how much), e.g. httpx (5 s). */
  defaultTimeout?: string;
}

const HTTP_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'];

/** Node packages. */
export const JS_LIBRARIES: Readonly<Record<string, LibrarySpec>> = {
  '@prisma/client': { kind: 'database', factories: ['PrismaClient'] },
  pg: { kind: 'database', factories: ['Pool', 'Client', 'default'] },
  'pg-pool': { kind: 'database', factories: '*' },
  postgres: { kind: 'database', factories: '*', callable: false },
  mysql: { kind: 'database', factories: ['createPool', 'createConnection'] },
  mysql2: { kind: 'database', factories: ['createPool', 'createConnection'] },
  'mysql2/promise': { kind: 'database', factories: ['createPool', 'createConnection'] },
  knex: { kind: 'database', factories: '*' },
  sequelize: { kind: 'database', factories: ['Sequelize', 'default'] },
  typeorm: {
    kind: 'database',
    factories: ['DataSource', 'createConnection', 'getConnection'],
    functions: ['getConnection'],
  },
  mongoose: { kind: 'database', moduleCalls: '*', factories: ['createConnection'] },
  mongodb: { kind: 'database', factories: ['MongoClient'] },
  'drizzle-orm/node-postgres': { kind: 'database', factories: ['drizzle'] },
  'drizzle-orm/postgres-js': { kind: 'database', factories: ['drizzle'] },
  'drizzle-orm/mysql2': { kind: 'database', factories: ['drizzle'] },
  kysely: { kind: 'database', factories: ['Kysely'] },
  '@neondatabase/serverless': { kind: 'database', factories: ['Pool', 'Client', 'neon'] },
  'cassandra-driver': { kind: 'database', factories: ['Client'] },
  '@elastic/elasticsearch': { kind: 'database', factories: ['Client'] },
  mssql: { kind: 'database', factories: ['ConnectionPool', 'connect'], functions: ['connect', 'query'] },
  oracledb: { kind: 'database', functions: ['getConnection', 'createPool'] },
  ioredis: { kind: 'cache', factories: '*' },
  redis: { kind: 'cache', factories: ['createClient', 'createCluster'] },
  '@redis/client': { kind: 'cache', factories: ['createClient'] },
  '@upstash/redis': { kind: 'cache', factories: ['Redis'] },
  memcached: { kind: 'cache', factories: '*' },
  memjs: { kind: 'cache', factories: '*' },
  amqplib: { kind: 'queue', functions: ['connect'], moduleCalls: ['connect'] },
  'amqp-connection-manager': { kind: 'queue', functions: ['connect'], moduleCalls: ['connect'] },
  bullmq: { kind: 'queue', factories: ['Queue', 'QueueEvents'] },
  bull: { kind: 'queue', factories: '*' },
  kafkajs: { kind: 'queue', factories: ['Kafka'] },
  nats: { kind: 'queue', functions: ['connect'] },
  '@aws-sdk/client-sqs': { kind: 'queue', factories: ['SQSClient'] },
  '@google-cloud/pubsub': { kind: 'queue', factories: ['PubSub'] },
  axios: { kind: 'http', moduleCalls: HTTP_VERBS, factories: ['create'], callable: true },
  got: { kind: 'http', moduleCalls: HTTP_VERBS, callable: true, factories: ['extend'] },
  'node-fetch': { kind: 'http', callable: true },
  undici: { kind: 'http', functions: ['fetch', 'request'], factories: ['Pool', 'Client'] },
  ky: { kind: 'http', moduleCalls: HTTP_VERBS, callable: true },
  superagent: { kind: 'http', moduleCalls: HTTP_VERBS, callable: true },
  http: { kind: 'http', moduleCalls: ['get', 'request'], functions: ['get', 'request'] },
  https: { kind: 'http', moduleCalls: ['get', 'request'], functions: ['get', 'request'] },
  'node:http': { kind: 'http', moduleCalls: ['get', 'request'], functions: ['get', 'request'] },
  'node:https': { kind: 'http', moduleCalls: ['get', 'request'], functions: ['get', 'request'] },
};

/** Python modules (as imported: `from django.db import connection` → `django.db`). */
export const PY_LIBRARIES: Readonly<Record<string, LibrarySpec>> = {
  sqlalchemy: { kind: 'database', factories: ['create_engine'] },
  'sqlalchemy.ext.asyncio': {
    kind: 'database',
    factories: ['create_async_engine', 'async_sessionmaker', 'AsyncSession'],
  },
  'sqlalchemy.orm': { kind: 'database', factories: ['sessionmaker', 'Session', 'scoped_session'] },
  flask_sqlalchemy: { kind: 'database', factories: ['SQLAlchemy'] },
  sqlmodel: { kind: 'database', factories: ['create_engine', 'Session'] },
  psycopg: {
    kind: 'database',
    moduleCalls: ['connect'],
    functions: ['connect'],
    factories: ['AsyncConnection', 'Connection'],
  },
  psycopg2: { kind: 'database', moduleCalls: ['connect'], functions: ['connect'] },
  psycopg_pool: { kind: 'database', factories: ['ConnectionPool', 'AsyncConnectionPool'] },
  asyncpg: { kind: 'database', moduleCalls: ['connect', 'create_pool'], functions: ['connect', 'create_pool'] },
  databases: { kind: 'database', factories: ['Database'] },
  'django.db': { kind: 'database', instances: ['connection', 'connections', 'transaction'] },
  pymongo: { kind: 'database', factories: ['MongoClient'] },
  motor: { kind: 'database', factories: '*' },
  'motor.motor_asyncio': { kind: 'database', factories: ['AsyncIOMotorClient'] },
  pymysql: { kind: 'database', moduleCalls: ['connect'], functions: ['connect'] },
  aiomysql: { kind: 'database', moduleCalls: ['connect', 'create_pool'], functions: ['connect', 'create_pool'] },
  'mysql.connector': { kind: 'database', moduleCalls: ['connect'], functions: ['connect'] },
  tortoise: { kind: 'database', instances: ['connections', 'Tortoise'] },
  elasticsearch: { kind: 'database', factories: ['Elasticsearch', 'AsyncElasticsearch'] },
  redis: {
    kind: 'cache',
    factories: ['Redis', 'StrictRedis', 'from_url', 'Sentinel'],
    moduleCalls: ['Redis', 'StrictRedis', 'from_url'],
  },
  'redis.asyncio': { kind: 'cache', factories: ['Redis', 'from_url'], moduleCalls: ['Redis', 'from_url'] },
  aioredis: { kind: 'cache', factories: ['Redis', 'from_url', 'create_redis_pool'] },
  'django.core.cache': { kind: 'cache', instances: ['cache', 'caches'] },
  pymemcache: { kind: 'cache', factories: '*' },
  'pymemcache.client.base': { kind: 'cache', factories: ['Client'] },
  pika: { kind: 'queue', factories: ['BlockingConnection', 'SelectConnection'], moduleCalls: ['BlockingConnection'] },
  aio_pika: { kind: 'queue', functions: ['connect', 'connect_robust'], moduleCalls: ['connect', 'connect_robust'] },
  kafka: { kind: 'queue', factories: ['KafkaProducer', 'KafkaConsumer', 'KafkaAdminClient'] },
  aiokafka: { kind: 'queue', factories: ['AIOKafkaProducer', 'AIOKafkaConsumer'] },
  confluent_kafka: { kind: 'queue', factories: ['Producer', 'Consumer'] },
  'confluent_kafka.admin': { kind: 'queue', factories: ['AdminClient'] },
  celery: { kind: 'queue', factories: ['Celery'] },
  requests: { kind: 'http', moduleCalls: HTTP_VERBS, functions: HTTP_VERBS, factories: ['Session'] },
  httpx: {
    kind: 'http',
    moduleCalls: HTTP_VERBS,
    functions: HTTP_VERBS,
    factories: ['AsyncClient', 'Client'],
    defaultTimeout: 'httpx’s default 5 s timeout',
  },
  aiohttp: { kind: 'http', factories: ['ClientSession'] },
  'urllib.request': { kind: 'http', functions: ['urlopen'], moduleCalls: ['urlopen'] },
  urllib3: { kind: 'http', factories: ['PoolManager'], moduleCalls: ['request'] },
};

/** Methods on clients that set things up or listen rather than talk to the dependency. */
export const NON_IO_METHODS = new Set([
  // Promise methods on a call's result: the I/O is the call they chain on.
  'then',
  'catch',
  'finally',
  'on',
  'once',
  'off',
  'emit',
  'addListener',
  'removeListener',
  'removeAllListeners',
  'use',
  '$on',
  '$use',
  '$extends',
  'extend',
  'duplicate',
  'defineCommand',
  'disconnect',
  '$disconnect',
  'quit',
  'end',
  'close',
  'release',
  'destroy',
  'dispose',
  'model',
  'define',
  'getRepository',
  'status',
  'options',
  'isReady',
  'is_connected',
  'toString',
  'bind',
  'remove',
  'commit',
  'rollback',
  'add',
  'delete_all',
  'sessionmaker',
]);

/**
 * Type names (NestJS constructor injection, Python annotations) that stand for a client, and whether
 * calls through them are bounded by default. NestJS Terminus database and microservice indicators time
 * out after 1000 ms unless told otherwise.
 */
export const TYPE_KINDS: ReadonlyArray<{
  test: RegExp;
  kind: DepKind | 'none';
  defaultTimeout?: string;
  methods?: RegExp;
}> = [
  {
    test: /^(TypeOrm|Sequelize|Mongoose|Prisma|MikroOrm)HealthIndicator$/,
    kind: 'database',
    defaultTimeout: 'the Terminus indicator’s default 1000 ms timeout',
  },
  {
    test: /^(Microservice|GRPC)HealthIndicator$/,
    kind: 'service',
    defaultTimeout: 'the Terminus indicator’s default 1000 ms timeout',
  },
  { test: /^HttpHealthIndicator$/, kind: 'http', methods: /^(pingCheck|responseCheck)$/ },
  { test: /^(Memory|Disk)HealthIndicator$/, kind: 'none' },
  {
    test: /^(PrismaService|PrismaClient|DataSource|EntityManager|Repository|MongoRepository|Model|Sequelize|Knex|Pool|Connection|Db|MongoClient)$/,
    kind: 'database',
  },
  { test: /^(Session|AsyncSession|Engine|AsyncEngine|Database|AsyncConnection)$/, kind: 'database' },
  { test: /^(Redis|RedisClientType|Cluster|StrictRedis)$/, kind: 'cache' },
  { test: /^(HttpService)$/, kind: 'http' },
  { test: /^(Queue|ClientProxy|ClientKafka|Channel|ChannelModel)$/, kind: 'queue' },
];

/** Receiver names that are a database or cache client when we cannot see where they come from. */
export const NAME_HINTS: ReadonlyArray<{ name: RegExp; methods: RegExp; kind: DepKind }> = [
  {
    name: /^(db|database|prisma|pool|pgPool|pg|knex|sequelize|mongoose|mongo|mongoClient|dataSource|datasource|sql|engine|orm)$/,
    methods:
      /^(\$queryRaw|\$queryRawUnsafe|\$executeRaw|\$executeRawUnsafe|\$connect|query|raw|execute|exec|ping|authenticate|fetchval|fetchrow|fetch_one|fetch_all|fetch_val|scalar|ensure_connection|connect|command|select)$/,
    kind: 'database',
  },
  {
    name: /^(redis|redisClient|ioredis|memcached|memcache)$/,
    methods: /^(ping|get|set|exists|info|incr)$/,
    kind: 'cache',
  },
];
