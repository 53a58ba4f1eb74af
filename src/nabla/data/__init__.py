"""Data for training: datasets, minibatch loading, augmentation and dataset loaders.

``Dataset`` / ``TensorDataset`` / ``DataLoader`` and the samplers follow PyTorch; the
loader's shuffle is a function of (seed, epoch), so training resumed at any epoch sees the
same batches. The transforms implement the data augmentation of the notes on deep learning:
flips, crops with padding (shifts), Gaussian noise; ``Standardize`` normalises features.
"""

from nabla.data.catalog import LoadedDataset, load_dataset
from nabla.data.dataset import Dataset, Subset, TensorDataset, random_split
from nabla.data.datasets import (
    BUNDLED,
    CSVData,
    load_breast_cancer,
    load_csv,
    load_diabetes,
    load_digits,
    load_idx,
    load_idx_pair,
    load_iris,
    load_wine,
)
from nabla.data.loader import DataLoader, default_collate
from nabla.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from nabla.data.transforms import (
    Compose,
    GaussianNoise,
    RandomCrop,
    RandomHorizontalFlip,
    Standardize,
    Transform,
)

__all__ = [
    "BUNDLED",
    "BatchSampler",
    "CSVData",
    "Compose",
    "DataLoader",
    "Dataset",
    "GaussianNoise",
    "LoadedDataset",
    "RandomCrop",
    "RandomHorizontalFlip",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Standardize",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "Transform",
    "WeightedRandomSampler",
    "default_collate",
    "load_breast_cancer",
    "load_csv",
    "load_dataset",
    "load_diabetes",
    "load_digits",
    "load_idx",
    "load_idx_pair",
    "load_iris",
    "load_wine",
    "random_split",
]
