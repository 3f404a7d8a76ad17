import type { PythonProjectGeneratorSchema } from '../../utils/python-project-generator.js';

export type LibraryGeneratorSchema = PythonProjectGeneratorSchema;
