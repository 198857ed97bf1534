/** The shared Prisma schema reader: model blocks, columns versus relations, `@map`/`@@map`, `@@ignore`. */
import { describe, expect, it } from 'vitest';
import { prismaAccessor, prismaModels } from '../../src/lang/prisma.js';

const schema = `
enum Role {
  ADMIN
}

model ApiKey {
  id      String @id // the key's id
  role    Role
  secret  String @map("secret_value")
  owner   User   @relation(fields: [ownerId], references: [id])
  ownerId String
  legacy  String @ignore
  tags    String[]
  note    String?
  @@map("api_keys")
}

model Hidden {
  id String @id
  @@ignore
}
`;

describe('prismaModels', () => {
  it('reads each model with its columns, relations, maps and markers', () => {
    const [key, hidden] = prismaModels(schema.split('\n'));
    expect(key).toMatchObject({ name: 'ApiKey', table: 'api_keys', line: 6, ignored: false });
    const columns = key!.fields.filter((f) => f.isColumn).map((f) => `${f.name}:${f.column}`);
    expect(columns).toEqual(['id:id', 'role:role', 'secret:secret_value', 'ownerId:ownerId', 'tags:tags', 'note:note']);
    expect(key!.fields.find((f) => f.name === 'owner')?.isColumn).toBe(false);
    expect(key!.fields.find((f) => f.name === 'tags')).toMatchObject({ list: true, optional: false });
    expect(key!.fields.find((f) => f.name === 'note')).toMatchObject({ list: false, optional: true, line: 14 });
    expect(hidden).toMatchObject({ name: 'Hidden', ignored: true });
  });

  it('names the client accessor of a model', () => {
    expect(prismaAccessor('ApiKey')).toBe('apiKey');
    expect(prismaAccessor('user')).toBe('user');
  });
});
