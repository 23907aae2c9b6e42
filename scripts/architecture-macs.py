# Multiply-adds per image of each architecture's convolutions and linear layers, from the layer
# list in Architecture / PreActResNet (batch norm, ReLU, pooling and the residual sums left out).
def cnn(c, h, w, k):
    m = h * w * 32 * 9 * c + (h // 2) * (w // 2) * 64 * 32 * 9
    return m + (h // 4) * (w // 4) * 64 * 128 + 128 * k
def resnet(c, h, w, k, stem, widths, blocks):
    m = h * w * stem * 9 * c
    inp = stem
    for s, width in enumerate(widths):
        for b in range(blocks[s]):
            stride = 2 if s > 0 and b == 0 else 1
            if stride == 2:
                h, w = (h + 1) // 2, (w + 1) // 2
            m += h * w * width * 9 * inp + h * w * width * 9 * width
            if stride != 1 or inp != width:
                m += h * w * width * inp
            inp = width
    return m + inp * k
for name, v in [("small-cnn 1x28x28", cnn(1, 28, 28, 10)), ("small-cnn 3x32x32", cnn(3, 32, 32, 10)),
                ("small-resnet 3x32x32", resnet(3, 32, 32, 10, 16, [16, 32, 64], [2, 2, 2])),
                ("small-resnet 1x28x28", resnet(1, 28, 28, 10, 16, [16, 32, 64], [2, 2, 2])),
                ("preact-resnet18 3x32x32", resnet(3, 32, 32, 10, 64, [64, 128, 256, 512], [2, 2, 2, 2]))]:
    print(f"{name}: {v / 1e6:.1f} M multiply-adds per image")
