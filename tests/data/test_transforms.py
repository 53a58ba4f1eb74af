"""Augmentation transforms: behaviour against direct NumPy formulas, seeds, no mutation."""

from __future__ import annotations

import numpy as np
import pytest

from nabla.data import Compose, GaussianNoise, RandomCrop, RandomHorizontalFlip, Standardize


def _images(n: int = 6, c: int = 2, h: int = 5, w: int = 4) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, c, h, w)).astype(np.float32)


def test_flip_matches_per_image_mirror() -> None:
    x = _images()
    out = RandomHorizontalFlip(p=0.5, seed=3)(x)
    flipped = np.random.default_rng(3).random(len(x)) < 0.5  # the same draws, independently
    assert 0 < flipped.sum() < len(x)
    for i in range(len(x)):
        np.testing.assert_array_equal(out[i], x[i, :, :, ::-1] if flipped[i] else x[i])
    assert out.dtype == np.float32


def test_flip_probabilities_zero_and_one() -> None:
    x = _images()
    np.testing.assert_array_equal(RandomHorizontalFlip(p=0.0, seed=0)(x), x)
    np.testing.assert_array_equal(RandomHorizontalFlip(p=1.0, seed=0)(x), x[..., ::-1])


def test_crop_with_padding_is_a_shift() -> None:
    x = _images(n=50, h=6, w=6)
    out = RandomCrop(6, padding=1, seed=5)(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    offsets = set()
    for i in range(len(x)):
        # the output must be one of the nine 6x6 windows of the padded image
        matches = [
            (dy, dx)
            for dy in range(3)
            for dx in range(3)
            if np.array_equal(out[i], padded[i, :, dy : dy + 6, dx : dx + 6])
        ]
        assert matches, f"image {i} is not a shifted copy"
        offsets.add(matches[0])
    assert len(offsets) > 4  # several different shifts were drawn


def test_crop_smaller_size_and_fill() -> None:
    x = np.ones((3, 1, 4, 4), dtype=np.float32)
    out = RandomCrop((2, 3), seed=0)(x)
    assert out.shape == (3, 1, 2, 3)
    out = RandomCrop(4, padding=2, fill=-1.0, seed=1)(x)
    assert set(np.unique(out)) <= {-1.0, 1.0}


def test_same_seed_same_augmentation_and_input_untouched() -> None:
    x = _images()
    keep = x.copy()
    for make in (
        lambda: RandomCrop(5, padding=1, seed=9),
        lambda: RandomHorizontalFlip(seed=9),
        lambda: GaussianNoise(0.1, seed=9),
    ):
        a, b = make(), make()
        np.testing.assert_array_equal(a(x), b(x))
        np.testing.assert_array_equal(x, keep)


def test_generator_accepted_and_advances() -> None:
    t = GaussianNoise(1.0, seed=np.random.default_rng(0))
    x = np.zeros((2, 3), dtype=np.float32)
    assert not np.array_equal(t(x), t(x))


def test_gaussian_noise_statistics_and_formula() -> None:
    x = np.full((200, 50), 3.0, dtype=np.float32)
    out = GaussianNoise(0.5, mean=0.1, seed=2)(x)
    expected = x + np.random.default_rng(2).normal(0.1, 0.5, size=x.shape)
    np.testing.assert_allclose(out, expected.astype(np.float32))
    assert out.dtype == np.float32
    assert abs(out.mean() - 3.1) < 0.01 and abs(out.std() - 0.5) < 0.01


def test_standardize_fit_and_apply() -> None:
    X = np.random.default_rng(1).normal(5, 3, size=(100, 3))
    X[:, 2] = 7.0  # constant feature
    t = Standardize.fit(X)
    Z = t(X)
    np.testing.assert_allclose(Z[:, :2].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z[:, :2].std(axis=0), 1)
    np.testing.assert_array_equal(Z[:, 2], 0)
    np.testing.assert_allclose(Z[:, 0], (X[:, 0] - X[:, 0].mean()) / X[:, 0].std())


def test_compose_applies_in_order() -> None:
    t = Compose([lambda x: x + 1, lambda x: x * 2])
    np.testing.assert_array_equal(t(np.array([1.0])), [4.0])
    assert "Compose" in repr(Compose([RandomHorizontalFlip(seed=0)]))


@pytest.mark.parametrize(
    ("make", "exc", "match"),
    [
        (
            lambda: RandomHorizontalFlip(p=1.5),
            ValueError,
            r"p must be a probability in \[0, 1\], got 1.5",
        ),
        (lambda: RandomCrop(0), ValueError, "size must be a positive int"),
        (lambda: RandomCrop(4, padding=-1), ValueError, "padding must be an integer >= 0, got -1"),
        (lambda: GaussianNoise(-0.1), ValueError, "std must be a real number >= 0, got -0.1"),
        (lambda: GaussianNoise(float("nan")), ValueError, "std must be"),
        (lambda: Standardize([0.0], [0.0]), ValueError, "std must be finite and > 0"),
        (lambda: Compose([1]), TypeError, "transform 0 is not callable"),
    ],
)
def test_bad_parameters(make, exc, match) -> None:
    with pytest.raises(exc, match=match):
        make()


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match=r"shape \(N, C, H, W\), got \(3, 4\)"):
        RandomHorizontalFlip(seed=0)(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="larger than the padded image"):
        RandomCrop(9, seed=0)(np.zeros((1, 1, 8, 8)))
    with pytest.raises(ValueError, match="X is empty"):
        Standardize.fit(np.zeros((0, 3)))
