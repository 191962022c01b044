"""Rewrites a parsed template so that its render stays on the budget, and so that a save explores every branch.

guard(): each {% for %} reads its items through a counter of steps; literal text, list and
dict literals and `~` concatenations are charged to the text a render may produce.

explore(): the sample values of a save leave most conditionals on one side. Routed through
a filter, the tests of {% if %}/{% elif %}, of `x if test else y` and the else of a
{% for %} are forced the first time they are met: in mode k the k-th branch of every
chain is taken, in mode NO_BRANCH none (the else). Later meetings use the real test, so a
recursive macro that ends properly does not become endless. `and`/`or` are not explored:
what they hide is still bounded by the budget when real data reaches it.
"""

import copy
from typing import Any

from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from .limits import MAX_EXPLORED_BRANCHES
from .sandbox import CHARGE, EXPLORE, STEPS

NO_BRANCH = -1


def _filtered(node: nodes.Node, name: str, *args: Any) -> nodes.Filter:
    return nodes.Filter(node, name, [nodes.Const(arg) for arg in args], [], None, None, lineno=node.lineno)


def _visit_all(transformer: NodeTransformer, body: list[nodes.Node]) -> list[nodes.Node]:
    visited: list[nodes.Node] = []
    for child in body:
        result = transformer.visit(child)
        if result is not None:
            visited.extend(result if isinstance(result, list) else [result])
    return visited


class _Guard(NodeTransformer):
    def visit_For(self, node: nodes.For) -> nodes.For:
        self.generic_visit(node)
        node.iter = _filtered(node.iter, STEPS)
        return node

    def visit_TemplateData(self, node: nodes.TemplateData) -> nodes.Const:
        # A constant of an {{ output }} goes through the environment's finalize, which charges it.
        return nodes.Const(node.data, lineno=node.lineno)

    def _charged(self, node: nodes.Expr) -> nodes.Filter:
        self.generic_visit(node)
        return _filtered(node, CHARGE)

    visit_Concat = visit_List = visit_Dict = _charged

    def visit_Tuple(self, node: nodes.Tuple) -> nodes.Expr:
        if node.ctx != "load":  # {% for a, b in … %}, {% set a, b = … %}
            return node
        return self._charged(node)


class _Explore(NodeTransformer):
    def __init__(self) -> None:
        self.tests = 0
        self.widest = 0

    def _forced(self, test: nodes.Node, position: int) -> nodes.Filter:
        self.tests += 1
        return _filtered(self.visit(test), EXPLORE, self.tests, position)

    def visit_If(self, node: nodes.If) -> nodes.If:
        chain = [node, *node.elif_]
        self.widest = max(self.widest, len(chain))
        for position, branch in enumerate(chain):
            branch.test = self._forced(branch.test, position)
            branch.body = _visit_all(self, branch.body)
        node.else_ = _visit_all(self, node.else_)
        return node

    def visit_CondExpr(self, node: nodes.CondExpr) -> nodes.CondExpr:
        self.widest = max(self.widest, 1)
        if node.expr2 is None:  # `x if test`: undefined otherwise, which would end the exploration
            node.expr2 = nodes.Const("")
        node.test = self._forced(node.test, 0)
        node.expr1 = self.visit(node.expr1)
        node.expr2 = self.visit(node.expr2)
        return node

    def visit_For(self, node: nodes.For) -> list[nodes.Node] | nodes.For:
        else_ = copy.deepcopy(node.else_)
        self.generic_visit(node)
        if not else_:
            return node
        self.widest = max(self.widest, 2)
        return [node, nodes.If(self._forced(nodes.Const(False), 1), _visit_all(self, else_), [], [])]


def guard(tree: nodes.Template) -> nodes.Template:
    return _Guard().visit(tree)


def explore(tree: nodes.Template) -> list[int]:
    """Makes `tree` explorable in place; the modes to render it in."""
    explorer = _Explore()
    explorer.visit(tree)
    if not explorer.widest:
        return []
    return [*range(min(explorer.widest, MAX_EXPLORED_BRANCHES)), NO_BRANCH]
