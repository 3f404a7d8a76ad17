// Prints the Nx task hash of <project>:<target> in the workspace given as argv[2], computed by the
// workspace's own nx (daemon off), exactly as `nx run` would compute it.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [workspace, project, target] = process.argv.slice(2);
process.chdir(workspace);
process.env.NX_DAEMON = 'false';
const require = createRequire(join(workspace, 'package.json'));
const { createProjectGraphAsync } = require('nx/src/project-graph/project-graph');
const { createTaskGraph } = require('nx/src/tasks-runner/create-task-graph');
const { createTaskHasher } = require('nx/src/hasher/create-task-hasher');
const { readNxJson } = require('nx/src/config/configuration');

const graph = await createProjectGraphAsync({ exitOnError: true });
const nxJson = readNxJson();
const taskGraph = createTaskGraph(
  graph,
  nxJson.targetDefaults ?? {},
  [project],
  [target],
  undefined,
  {},
);
const id = `${project}:${target}`;
const task = taskGraph.tasks[id];
if (task === undefined) throw new Error(`no task ${id}`);
const hash = await createTaskHasher(graph, nxJson).hashTask(task, taskGraph, process.env);
process.stdout.write(`${hash.value}\n`);
