"""Golden branch hashes: an independent Python rendering of OpenLTH's branch hashing.

It rebuilds, with Python's own dataclasses, what OpenLTH does (spec 1.5, 2.4, 10.1): the
canonical string of `Hparams.__str__`, the `BranchHparams` dataclass generated from the
signature of each branch's `branch_function` with `make_dataclass`, and `Desc.hashname` (only
Hparams-valued fields are hashed, so the lottery desc is not). Run it with python3 and save the
output as branch-golden-hashes.json beside it.
"""
import hashlib
import inspect
import json
from dataclasses import MISSING, dataclass, field, fields, make_dataclass
from typing import Tuple


@dataclass
class Hparams:
    def __str__(self):
        fs = {}
        for f in fields(self):
            if f.name.startswith('_'):
                continue
            if f.default is MISSING or (getattr(self, f.name) != f.default):
                value = getattr(self, f.name)
                if isinstance(value, str):
                    value = "'" + value + "'"
                if isinstance(value, Hparams):
                    value = str(value)
                if isinstance(value, Tuple):
                    value = 'Tuple(' + ','.join(str(h) for h in value) + ')'
                fs[f.name] = value
        elements = [f'{name}={fs[name]}' for name in sorted(fs.keys())]
        return 'Hparams(' + ', '.join(elements) + ')'


@dataclass
class DatasetHparams(Hparams):
    dataset_name: str
    batch_size: int
    do_not_augment: bool = False
    transformation_seed: int = None
    subsample_fraction: float = None
    random_labels_fraction: float = None
    unsupervised_labels: str = None
    blur_factor: int = None
    _name: str = 'Dataset Hyperparameters'


@dataclass
class TrainingHparams(Hparams):
    optimizer_name: str
    lr: float
    training_steps: str
    data_order_seed: int = None
    momentum: float = 0.0
    nesterov_momentum: float = 0.0
    milestone_steps: str = None
    gamma: float = None
    warmup_steps: str = None
    weight_decay: float = None
    apex_fp16: bool = False
    _name: str = 'Training Hyperparameters'


def randomly_prune(self, seed: int, strategy: str = 'layerwise', start_at: str = 'rewind', layers_to_ignore: str = ''):
    pass


def randomly_reinitialize(self, start_at_step_zero: bool = False, seed: int = None):
    # lth adds `seed` (default None), which leaves OpenLTH's hashes as they were.
    pass


def retrain(self, retrain_d: DatasetHparams, retrain_t: TrainingHparams, start_at_step_zero: bool = False):
    pass


def branch_hparams_class(fn):
    """OpenLTH's Branch.__init_subclass__: the signature of branch_function as a dataclass."""
    fs = []
    for name, p in inspect.signature(fn).parameters.items():
        if name == 'self':
            continue
        if p.default is inspect.Parameter.empty:
            fs.append((name, p.annotation))
        else:
            fs.append((name, p.annotation, field(default=p.default)))
    fs.append(('_name', str, 'Branch Arguments'))
    fs.append(('_description', str, 'Arguments specific to the branch.'))
    return make_dataclass('BranchHparams', fs, bases=(Hparams,))


def hashname(branch_name, fn, **kwargs):
    hp = branch_hparams_class(fn)(**kwargs)
    canonical = ';'.join([str(hp)])
    return {'hash': f'lottery_branch_{branch_name}_' + hashlib.md5(canonical.encode('utf-8')).hexdigest(), 'canonical': canonical}


cases = {
    'randomly_prune seed=7': hashname('randomly_prune', randomly_prune, seed=7),
    'randomly_prune seed=3 layerwise (the default, written out)': hashname('randomly_prune', randomly_prune, seed=3, strategy='layerwise'),
    'randomly_prune seed=0 global init fc.weight': hashname('randomly_prune', randomly_prune, seed=0, strategy='global', start_at='init', layers_to_ignore='fc.weight'),
    'randomly_prune seed=1 even end': hashname('randomly_prune', randomly_prune, seed=1, strategy='even', start_at='end'),
    'randomly_reinitialize defaults': hashname('randomly_reinitialize', randomly_reinitialize),
    'randomly_reinitialize start_at_step_zero': hashname('randomly_reinitialize', randomly_reinitialize, start_at_step_zero=True),
    'randomly_reinitialize seed=5': hashname('randomly_reinitialize', randomly_reinitialize, seed=5),
    'retrain cifar10 128 sgd 0.1 160ep': hashname(
        'retrain', retrain,
        retrain_d=DatasetHparams('cifar10', 128),
        retrain_t=TrainingHparams('sgd', 0.1, '160ep')),
    'retrain fashion_mnist 64 subsample, adam 1e-05 2ep seed 0, start_at_step_zero': hashname(
        'retrain', retrain,
        retrain_d=DatasetHparams('fashion_mnist', 64, subsample_fraction=0.5),
        retrain_t=TrainingHparams('adam', 1e-05, '2ep', data_order_seed=0),
        start_at_step_zero=True),
    'retrain resnet-style schedule': hashname(
        'retrain', retrain,
        retrain_d=DatasetHparams('cifar10', 128, do_not_augment=True),
        retrain_t=TrainingHparams('sgd', 0.1, '160ep', momentum=0.9, milestone_steps='80ep,120ep', gamma=0.1, weight_decay=1e-4)),
}

print(json.dumps(cases, indent=1))
