import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatShape, listOnnxNodes, nodeCosts, OnnxError, readOnnxFile, simplifyGraph } from '../../index.js';
import { compactNumber, textTable } from '../../report/format.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('list the nodes of an ONNX model: shapes, parameters, MACs per layer, unsupported nodes')
    .argument('<model>', 'ONNX file')
    .option('--json', 'machine-readable output')
    .action(async (model: string, flags: { json?: boolean }) => {
      let graph;
      try {
        graph = await readOnnxFile(model);
      } catch (err) {
        if (err instanceof OnnxError && /unsupported node/.test(err.message)) {
          const nodes = listOnnxNodes(await readFile(model));
          const unsupported = nodes.filter((n) => !n.supported);
          if (flags.json) console.log(JSON.stringify({ model, supported: false, nodes, unsupported }, null, 2));
          else
            console.log(
              `${model}: ${nodes.length} nodes, ${unsupported.length} unsupported:\n${textTable(
                ['node', 'op'],
                unsupported.map((n) => [n.name, n.opType]),
              )}`,
            );
          process.exitCode = 1;
          return;
        }
        throw err;
      }
      const simplified = simplifyGraph(graph);
      const costs = nodeCosts(graph);
      const totals = { parameters: costs.reduce((s, c) => s + c.parameters, 0), macs: costs.reduce((s, c) => s + c.macs, 0) };
      if (flags.json) {
        console.log(
          JSON.stringify(
            {
              model,
              supported: true,
              input: graph.input,
              output: graph.output,
              nodes: costs,
              totals,
              simplifiedNodes: simplified.nodes.length,
            },
            null,
            2,
          ),
        );
        return;
      }
      console.log(
        `${model}: input '${graph.input.name}' ${formatShape(graph.input.shape)}, output '${graph.output}', ${graph.nodes.length} nodes (${simplified.nodes.length} after folding)`,
      );
      console.log(
        textTable(
          ['node', 'op', 'output', 'params', 'MACs'],
          costs.map((c) => [c.node, c.op, formatShape(['N', ...c.outputShape]), compactNumber(c.parameters), compactNumber(c.macs)]),
        ),
      );
      console.log(
        `total: ${totals.parameters.toLocaleString('en-US')} parameters, ${totals.macs.toLocaleString('en-US')} MACs per image; all nodes supported`,
      );
    });
}
