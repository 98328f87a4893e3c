"""Every architecture in the zoo: right outputs per head, and every parameter learns."""

from __future__ import annotations

import pytest
import torch

from mailpiece.inspect.result import DAMAGE_KINDS, POSTAGE_KINDS
from mailpiece.models.heads import HEAD_CLASSES
from mailpiece.models.zoo import ARCHITECTURES, build_model


def test_head_classes_match_the_result_record() -> None:
    assert HEAD_CLASSES["postage"] == POSTAGE_KINDS
    assert HEAD_CLASSES["damage"] == DAMAGE_KINDS
    assert HEAD_CLASSES["orientation"] == ("upright", "upside_down")


@pytest.mark.parametrize("arch", sorted(ARCHITECTURES))
def test_every_parameter_gets_a_gradient(arch: str) -> None:
    torch.manual_seed(0)
    model = build_model(arch).train()
    x = torch.randn(2, 3, 64, 128)
    out = model(x)
    assert {k: tuple(v.shape) for k, v in out.items()} == {
        "postage": (2, 4),
        "damage": (2, 5),
        "orientation": (2, 2),
    }
    sum(v.logsumexp(1).sum() - v[:, 0].sum() for v in out.values()).backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert missing == []


def test_custom_head_classes_set_the_output_widths() -> None:
    heads = {"postage": ("a", "b"), "damage": ("x", "y", "z"), "orientation": ("up", "down")}
    out = build_model("mobilenet_v3_small", heads).eval()(torch.zeros(1, 3, 64, 128))
    assert [out[h].shape[1] for h in heads] == [2, 3, 2]


def test_unknown_architecture_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown architecture"):
        build_model("alexnet")


def test_output_does_not_depend_on_batch_neighbours_in_eval_mode() -> None:
    torch.manual_seed(1)
    model = build_model("mobilenet_v3_small").eval()
    x = torch.randn(3, 3, 64, 128)
    with torch.no_grad():
        together = model(x)["postage"]
        alone = model(x[1:2])["postage"]
    torch.testing.assert_close(together[1:2], alone, rtol=1e-4, atol=1e-5)
