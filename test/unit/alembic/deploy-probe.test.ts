/** Which env.py files the deploy probe skips without Python (no models: the check pays nothing). */
import { describe, expect, it } from 'vitest';
import { envPyMayMapModels } from '../../../src/alembic/deploy-probe.js';
import { ASYNC_ENV_PY, MODELS_ENV_PY } from '../../integration/deploy/projects.js';
import { STANDARD_ENV_PY } from '../../helpers/git-repo.js';

describe('envPyMayMapModels', () => {
  it.each([
    ['the alembic template with models imported as target_metadata', MODELS_ENV_PY],
    ['the async template', ASYNC_ENV_PY],
    ['an assignment from a Base', 'from app.db import Base\ntarget_metadata = Base.metadata\n'],
    ['a list of metadata', 'target_metadata = [a.metadata, b.metadata]\n'],
    ['a keyword argument', 'context.configure(connection=c, target_metadata=SQLModel.metadata)\n'],
  ])('may map models: %s', (_name, envPy) => {
    expect(envPyMayMapModels(envPy)).toBe(true);
  });

  it.each([
    ['the alembic template (target_metadata = None)', STANDARD_ENV_PY],
    ['models only in a comment', '# target_metadata = Base.metadata\ntarget_metadata = None\n'],
  ])('maps none: %s', (_name, envPy) => {
    expect(envPyMayMapModels(envPy)).toBe(false);
  });
});
