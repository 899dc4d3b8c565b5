import hashlib
def canon(fields):  # fields: list of (name, value, default, required)
    parts=[]
    for name,val,default,req in sorted(fields):
        if not req and val == default: continue
        parts.append(f"{name}={repr(val) if isinstance(val,str) else str(val)}")
    return "Hparams(" + ", ".join(parts) + ")"
def ds(name, bs, **kw):
    d=dict(do_not_augment=False, transformation_seed=None, subsample_fraction=None, random_labels_fraction=None, unsupervised_labels=None, blur_factor=None)
    f=[('dataset_name',name,None,True),('batch_size',bs,None,True)]
    for k,v in d.items(): f.append((k,kw.get(k,v),v,False))
    return canon(f)
def md(name, init='kaiming_normal', bn='uniform', **kw):
    d=dict(batchnorm_frozen=False, output_frozen=False, others_frozen=False, others_frozen_exceptions=None)
    f=[('model_name',name,None,True),('model_init',init,None,True),('batchnorm_init',bn,None,True)]
    for k,v in d.items(): f.append((k,kw.get(k,v),v,False))
    return canon(f)
def tr(opt, lr, steps, **kw):
    d=dict(data_order_seed=None, momentum=0.0, nesterov_momentum=0.0, milestone_steps=None, gamma=None, warmup_steps=None, weight_decay=None, apex_fp16=False)
    f=[('optimizer_name',opt,None,True),('lr',lr,None,True),('training_steps',steps,None,True)]
    for k,v in d.items(): f.append((k,kw.get(k,v),v,False))
    return canon(f)
def pr(strategy='sparse_global', **kw):
    d=dict(pruning_fraction=0.2, pruning_layers_to_ignore=None)
    f=[('pruning_strategy',strategy,None,True)]
    for k,v in d.items(): f.append((k,kw.get(k,v),v,False))
    return canon(f)
def h(prefix,*parts):
    s=';'.join(parts); return prefix+'_'+hashlib.md5(s.encode()).hexdigest(), s
cases = {
 'train cifar_resnet_20 defaults': h('train', ds('cifar10',128), md('cifar_resnet_20'), tr('sgd',0.1,'160ep',momentum=0.9,milestone_steps='80ep,120ep',gamma=0.1,weight_decay=1e-4)),
 'train lenet defaults': h('train', ds('mnist',128), md('mnist_lenet_300_100'), tr('sgd',0.1,'40ep')),
 'train lenet fashion 2ep': h('train', ds('fashion_mnist',128), md('mnist_lenet_300_100'), tr('sgd',0.1,'2ep')),
 'train lenet lr 1e-05 seed 0': h('train', ds('mnist',128), md('mnist_lenet_300_100'), tr('sgd',1e-05,'40ep',data_order_seed=0)),
 'train lenet lr=1 (1.0)': h('train', ds('mnist',128), md('mnist_lenet_300_100'), tr('sgd',1.0,'40ep')),
 'train lenet wd 0.0001 momentum 0.0': h('train', ds('mnist',128), md('mnist_lenet_300_100'), tr('sgd',0.1,'40ep',weight_decay=0.0001)),
 'train lenet do_not_augment transformation_seed 0': h('train', ds('mnist',128,do_not_augment=True,transformation_seed=0), md('mnist_lenet_300_100'), tr('sgd',0.1,'40ep')),
 'train vgg defaults': h('train', ds('cifar10',128), md('cifar_vgg_16'), tr('sgd',0.1,'160ep',momentum=0.9,milestone_steps='80ep,120ep',gamma=0.1,weight_decay=1e-4)),
 'train imagenet_resnet_50 defaults': h('train', ds('imagenet',1024), md('imagenet_resnet_50'), tr('sgd',0.4,'90ep',momentum=0.9,milestone_steps='30ep,60ep,80ep',gamma=0.1,weight_decay=1e-4,warmup_steps='5ep')),
 'lottery lenet defaults': h('lottery', ds('mnist',128), md('mnist_lenet_300_100'), pr(pruning_layers_to_ignore='fc.weight'), tr('sgd',0.1,'40ep')),
 'lottery resnet20 defaults': h('lottery', ds('cifar10',128), md('cifar_resnet_20'), pr(), tr('sgd',0.1,'160ep',momentum=0.9,milestone_steps='80ep,120ep',gamma=0.1,weight_decay=1e-4)),
 'lottery lenet frozen + 5e-05 + fraction 0.5 + output_frozen': h('lottery', ds('mnist',128,subsample_fraction=0.5), md('mnist_lenet_300_100',output_frozen=True), pr(pruning_fraction=0.5,pruning_layers_to_ignore='fc.weight'), tr('adam',5e-05,'40ep',data_order_seed=1)),
 'lottery resnet20 rewind 500it': h('lottery', ds('cifar10',128), md('cifar_resnet_20'), ds('cifar10',128), tr('sgd',0.1,'500it',momentum=0.9,milestone_steps='80ep,120ep',gamma=0.1,weight_decay=1e-4), pr(), tr('sgd',0.1,'160ep',momentum=0.9,milestone_steps='80ep,120ep',gamma=0.1,weight_decay=1e-4)),
 'train lenet lr 1e+16 and 1e-4 momentum 0.9 nesterov': h('train', ds('mnist',128), md('mnist_lenet_300_100'), tr('sgd',1e16,'40ep',nesterov_momentum=0.9)),
}
import json
print(json.dumps({k:{'hash':v[0],'canonical':v[1]} for k,v in cases.items()}, indent=1))
