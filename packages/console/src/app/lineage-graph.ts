import cytoscape from 'cytoscape';
import type { LineageEdge, LineageNode } from './lineage.ts';

const COLORS: Record<LineageNode['kind'], string> = { dataset: '#0891b2', run: '#7c3aed', version: '#2563eb', rollout: '#059669' };

/** Draws the lineage graph (Cytoscape.js, layered left to right); loaded only where one is shown. */
export function drawLineage(container: HTMLElement, graph: { nodes: LineageNode[]; edges: LineageEdge[] }): () => void {
  const cy = cytoscape({
    container,
    elements: [
      ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind } })),
      ...graph.edges.map((e, i) => ({ data: { id: `edge-${i}`, source: e.source, target: e.target, label: e.label } })),
    ],
    style: [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          'text-wrap': 'wrap',
          'text-valign': 'center',
          'font-size': 12,
          color: '#fff',
          shape: 'round-rectangle',
          width: 160,
          height: 48,
          'background-color': (node: cytoscape.NodeSingular) => COLORS[node.data('kind') as LineageNode['kind']],
        },
      },
      {
        selector: 'edge',
        style: {
          label: 'data(label)',
          'font-size': 11,
          color: '#5d6670',
          width: 1.5,
          'line-color': '#9ca3af',
          'target-arrow-color': '#9ca3af',
          'target-arrow-shape': 'triangle',
          'curve-style': 'bezier',
          'text-background-color': '#fff',
          'text-background-opacity': 1,
        },
      },
    ],
    // Layered top to bottom from what has no inputs: datasets and hand-registered versions.
    layout: { name: 'breadthfirst', directed: true, roots: graph.nodes.filter((n) => !graph.edges.some((e) => e.target === n.id)).map((n) => n.id), spacingFactor: 1.2 },
    maxZoom: 1.3,
    userZoomingEnabled: false,
    boxSelectionEnabled: false,
    autoungrabify: true,
  });
  cy.fit(undefined, 20);
  return () => cy.destroy();
}
