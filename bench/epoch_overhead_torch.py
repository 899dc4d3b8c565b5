"""OpenLTH's data pipeline for LeNet-300-100 on Fashion-MNIST, timed as bench/epoch_overhead.js
times lth's: torchvision's FashionMNIST dataset (a PIL image per example, ToTensor, Normalize
with OpenLTH's MNIST statistics), a DataLoader with batch 128 and OpenLTH's default of 0
workers, SGD lr 0.1, test evaluation at every epoch and a checkpoint per epoch."""
import argparse, gzip, json, os, shutil, tempfile, time
import torch, torchvision
from torchvision import transforms

p = argparse.ArgumentParser()
p.add_argument('--epochs', type=int, default=1)
p.add_argument('--threads', type=int, default=os.cpu_count())
args = p.parse_args()
torch.set_num_threads(args.threads)

src = '/usr/share/datasets/fashion-mnist'
root = tempfile.mkdtemp()
raw = os.path.join(root, 'FashionMNIST', 'raw')
os.makedirs(raw)
for f in os.listdir(src):
    if f.endswith('.gz'):
        with gzip.open(os.path.join(src, f)) as i, open(os.path.join(raw, f[:-3]), 'wb') as o:
            shutil.copyfileobj(i, o)
tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean=[0.1307], std=[0.3081])])
train = torchvision.datasets.FashionMNIST(root, train=True, transform=tf, download=False)
test = torchvision.datasets.FashionMNIST(root, train=False, transform=tf, download=False)
g = torch.Generator().manual_seed(0)
train_loader = torch.utils.data.DataLoader(train, batch_size=128, shuffle=True, generator=g, num_workers=0)
test_loader = torch.utils.data.DataLoader(test, batch_size=128, num_workers=0)

model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 300), torch.nn.ReLU(), torch.nn.Linear(300, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
crit = torch.nn.CrossEntropyLoss()
t = {'data': 0.0, 'eval': 0.0, 'saving': 0.0}

def timed_batches(loader):
    it = iter(loader)
    while True:
        t0 = time.perf_counter()
        try:
            b = next(it)
        except StopIteration:
            t['data'] += time.perf_counter() - t0
            return
        t['data'] += time.perf_counter() - t0
        yield b

def evaluate():
    t0 = time.perf_counter(); d0 = t['data']
    model.eval()
    with torch.no_grad():
        for x, y in timed_batches(test_loader):
            crit(model(x), y)
    t['eval'] += time.perf_counter() - t0 - (t['data'] - d0)

start = time.perf_counter()
evaluate()
for ep in range(args.epochs):
    for x, y in timed_batches(train_loader):
        model.train(); opt.zero_grad(); crit(model(x), y).backward(); opt.step()
    evaluate()
    t0 = time.perf_counter()
    torch.save({'model': model.state_dict(), 'opt': opt.state_dict()}, os.path.join(root, 'checkpoint.pth'))
    t['saving'] += time.perf_counter() - t0
total = time.perf_counter() - start
shutil.rmtree(root)
ms = lambda s: s * 1000
print(json.dumps({'backend': 'pytorch', 'epochs': args.epochs, 'total': ms(total), 'steps': ms(total - t['data'] - t['eval'] - t['saving']),
                  'eval': ms(t['eval']), 'data': ms(t['data']), 'saving': ms(t['saving']), 'overhead': (t['data'] + t['saving']) / total}))
