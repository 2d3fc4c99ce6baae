"""What a GraphQL operation may cost, estimated before anything is read.

Every field selected costs 1 (an act's ``document``, tens of kilobytes, ``WEIGHTS``) for every
object it is selected on; a list multiplies what is selected under it by its size: ``first`` where
the field takes it (its default where not given), else the size assumed in ``ASSUMED``. So
``units(first: 1000) { items { history { events { act { document } } } } }`` costs about
1000 × 10 × 1000 and is refused, where ``units(first: 1000) { items { code name } }`` costs 3,001.
Aliases add up. Variables are taken as sent (after coercion), so ``first: $n`` is no way around it.

The depth, alias and token limits (``limits.py``) bound the query text; this bounds the answer.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
)
from graphql.execution.values import get_argument_values, get_variable_values

MAX_COST = 100_000

# Lists without `first`, at their assumed length: generous for one unit's history (a handful of
# versions and events), about right for a tree (a province has 10 to 170 units under it). A page's
# items are as many as the `first` of the field that returned the page, counted there.
ASSUMED: dict[tuple[str, str], int] = {
    ("UnitPage", "items"): 1,
    ("ChangePage", "items"): 1,
    ("ActPage", "items"): 1,
    ("Unit", "children"): 50,
    ("Unit", "ancestors"): 5,
    ("Unit", "superiors"): 3,  # one per relation at most
    ("History", "versions"): 10,
    ("History", "events"): 10,
    ("History", "predecessors"): 10,
    ("History", "successors"): 10,
    ("Unit", "functions"): 5,
    ("Query", "functionHolders"): 20,
    ("PlanPage", "items"): 1,
    ("Plan", "items"): 50,
    ("PlanItem", "coordinating"): 5,
    ("PlanItem", "acts"): 3,
    ("PlanItem", "history"): 5,
    ("PlanStatusStep", "acts"): 3,
}
DEFAULT_LIST = 100  # a list not named above
STEPS_PER_HOP = 10  # predecessors/successors(depth): depth 0 follows every step, counted as
MAX_HOPS = 5        # this many hops
# Fields that cost much more than a row: an act document is tens of kilobytes; a history is read
# from the change list, one query per batch of units, and holds versions, events and lineage.
# A staffing report reads a subtree on two dates with its lineage; a unit's functions, one query.
WEIGHTS: dict[tuple[str, str], int] = {("Act", "document"): 1000, ("Unit", "history"): 20,
                                       ("Query", "staffing"): 200, ("Unit", "functions"): 5}


def operation_cost(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                   variables: dict[str, Any] | None) -> int | None:
    """The estimated cost, or None when the operation or its variables are invalid (execution
    then reports that)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    return _Estimate(schema, fragments, coerced).selections(operation.selection_set, root, 1)


class _Estimate:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 variables: dict[str, Any]) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLObjectType,
                   times: int) -> int:
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent, times)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    total += self.selections(fragment.selection_set,
                                             self._type(fragment.type_condition.name.value,
                                                        parent), times)
            elif isinstance(node, InlineFragmentNode):
                on = node.type_condition.name.value if node.type_condition else None
                total += self.selections(node.selection_set, self._type(on, parent), times)
        return total

    def field(self, node: FieldNode, parent: GraphQLObjectType, times: int) -> int:
        name = node.name.value
        definition = parent.fields.get(name)
        if definition is None:  # __typename, __schema, __type: the schema's own, bounded
            return times
        cost = times * WEIGHTS.get((parent.name, name), 1)
        if node.selection_set is None:
            return cost
        args = get_argument_values(definition, node, self.variables)
        size = self._size(parent.name, name, args, is_list_type(get_nullable_type(
            definition.type)))
        inner = get_named_type(definition.type)
        if not isinstance(inner, GraphQLObjectType):
            return cost * size
        return cost + self.selections(node.selection_set, inner, times * size)

    @staticmethod
    def _size(parent: str, name: str, args: dict[str, Any], is_list: bool) -> int:
        if isinstance(args.get("first"), int):  # a page (or a list) of at most `first`
            return max(1, args["first"])
        if name in ("predecessors", "successors") and isinstance(args.get("depth"), int):
            hops = args["depth"] if 0 < args["depth"] < MAX_HOPS else MAX_HOPS
            return STEPS_PER_HOP * hops
        if is_list:
            return ASSUMED.get((parent, name), DEFAULT_LIST)
        return 1

    def _type(self, name: str | None, parent: GraphQLObjectType) -> GraphQLObjectType:
        found = self.schema.get_type(name) if name else None
        return found if isinstance(found, GraphQLObjectType) else parent
