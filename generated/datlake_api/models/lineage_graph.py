from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.lineage_direction import LineageDirection
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.lineage_edge import LineageEdge
    from ..models.lineage_node import LineageNode


T = TypeVar("T", bound="LineageGraph")


@_attrs_define
class LineageGraph:
    """
    Attributes:
        root (str):
        direction (LineageDirection):
        depth (int):
        nodes (list[LineageNode]):
        edges (list[LineageEdge]):
        truncated (bool | Unset): true when the graph is not whole (v1.3): a table's history was folded, or nodes
            beyond `limit` were left out; absent means false (servers before v1.3)
             Default: False.
    """

    root: str
    direction: LineageDirection
    depth: int
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    truncated: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        root = self.root

        direction = self.direction.value

        depth = self.depth

        nodes = []
        for nodes_item_data in self.nodes:
            nodes_item = nodes_item_data.to_dict()
            nodes.append(nodes_item)

        edges = []
        for edges_item_data in self.edges:
            edges_item = edges_item_data.to_dict()
            edges.append(edges_item)

        truncated = self.truncated

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "root": root,
                "direction": direction,
                "depth": depth,
                "nodes": nodes,
                "edges": edges,
            }
        )
        if truncated is not UNSET:
            field_dict["truncated"] = truncated

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.lineage_edge import LineageEdge
        from ..models.lineage_node import LineageNode

        d = dict(src_dict)
        root = d.pop("root")

        direction = LineageDirection(d.pop("direction"))

        depth = d.pop("depth")

        nodes = []
        _nodes = d.pop("nodes")
        for nodes_item_data in _nodes:
            nodes_item = LineageNode.from_dict(nodes_item_data)

            nodes.append(nodes_item)

        edges = []
        _edges = d.pop("edges")
        for edges_item_data in _edges:
            edges_item = LineageEdge.from_dict(edges_item_data)

            edges.append(edges_item)

        truncated = d.pop("truncated", UNSET)

        lineage_graph = cls(
            root=root,
            direction=direction,
            depth=depth,
            nodes=nodes,
            edges=edges,
            truncated=truncated,
        )

        lineage_graph.additional_properties = d
        return lineage_graph

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
