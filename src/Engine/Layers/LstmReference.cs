// One LSTM layer in plain loops: forward and backward side by side, in float64, with the shape of
// every buffer. It is slow and plainly right, and it is the oracle that the fast layer (LstmLayer:
// packed kernels, split time loops, fused rows, float32) is tested against (LstmReferenceTests).
// Read it first: docs/lstm.md has the equations, and this file is those equations in code.
//
// Sizes: T steps, B sequences, X inputs, H hidden units. Buffers are time-major, [T, B, ·], as in
// LstmLayer, so row r = t·B + b is sequence b at step t. The weights have PyTorch's layout and
// gate order i, f, g, o: wIh [4H, X], wHh [4H, H], bIh [4H], bHh [4H]. The state starts at zero.
namespace LstmService.Engine.Layers;

internal static class LstmReference
{
    /// <summary>What the forward pass keeps for the backward pass.</summary>
    /// <param name="Gates">i, f, g, o after their activations: [T, B, 4H].</param>
    /// <param name="C">The cell state c (the seed cell's s): [T, B, H].</param>
    /// <param name="H">The hidden state h, the layer's output: [T, B, H].</param>
    public sealed record Trace(double[] Gates, double[] C, double[] H);

    /// <summary>The gradients of a loss L, given ∂L/∂h_t for every step.</summary>
    /// <param name="DWih">[4H, X]</param> <param name="DWhh">[4H, H]</param>
    /// <param name="DBih">[4H]</param> <param name="DBhh">[4H] (equal to DBih: both biases are added alike)</param>
    /// <param name="DX">∂L/∂x: [T, B, X]</param>
    public sealed record Gradients(double[] DWih, double[] DWhh, double[] DBih, double[] DBhh, double[] DX);

    public static Trace Forward(double[] x, int steps, int batch, int inputs, int hidden,
        double[] wIh, double[] wHh, double[] bIh, double[] bHh, CellKind cell)
    {
        int X = inputs, H = hidden, G = 4 * hidden;
        var gates = new double[steps * batch * G];   // [T, B, 4H]
        var c = new double[steps * batch * H];       // [T, B, H]
        var h = new double[steps * batch * H];       // [T, B, H]
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
            {
                int r = t * batch + b, p = r - batch;  // this row, and the same sequence's previous step (t > 0)
                for (int k = 0; k < G; k++)
                {
                    // z_k = W_ih[k]·x_t + b_ih[k] + W_hh[k]·h_{t−1} + b_hh[k]
                    double z = bIh[k] + bHh[k];
                    for (int j = 0; j < X; j++) z += wIh[k * X + j] * x[r * X + j];
                    if (t > 0) for (int j = 0; j < H; j++) z += wHh[k * H + j] * h[p * H + j];
                    gates[r * G + k] = k / H == 2 ? Math.Tanh(z) : Sigmoid(z);   // g = tanh(z_g); i, f, o = σ(z)
                }
                for (int u = 0; u < H; u++)
                {
                    double i = gates[r * G + u], f = gates[r * G + H + u], g = gates[r * G + 2 * H + u], o = gates[r * G + 3 * H + u];
                    double cPrev = t > 0 ? c[p * H + u] : 0;
                    double cNow = f * cPrev + i * g;                                   // c_t = f ⊙ c_{t−1} + i ⊙ g (both cells)
                    c[r * H + u] = cNow;
                    h[r * H + u] = o * (cell == CellKind.Standard ? Math.Tanh(cNow) : cNow); // standard: o ⊙ tanh(c_t); seed: s_t ⊙ o
                }
            }
        return new Trace(gates, c, h);
    }

    /// <summary>
    /// Backpropagation through time from dH [T, B, H], ∂L/∂h_t from above (the head, or the layer
    /// above), for the trace <paramref name="trace"/> of <see cref="Forward"/> on the same x and weights.
    /// </summary>
    public static Gradients Backward(double[] x, int steps, int batch, int inputs, int hidden,
        double[] wIh, double[] wHh, Trace trace, double[] dH, CellKind cell, CellGradient variant)
    {
        int X = inputs, H = hidden, G = 4 * hidden;
        var (gates, c, h) = (trace.Gates, trace.C, trace.H);
        var dWih = new double[G * X];
        var dWhh = new double[G * H];
        var dB = new double[G];
        var dX = new double[steps * batch * X];
        var dGates = new double[G];                  // one row's ∂L/∂z: [4H]
        var dhNext = new double[batch * H];          // ∂L/∂h_t through step t+1: [B, H]
        var dcNext = new double[batch * H];          // ∂L/∂c_t through step t+1 (c_{t+1} = f·c_t + …): [B, H]
        for (int t = steps - 1; t >= 0; t--)
            for (int b = 0; b < batch; b++)
            {
                int r = t * batch + b, p = r - batch;
                for (int u = 0; u < H; u++)
                {
                    double i = gates[r * G + u], f = gates[r * G + H + u], g = gates[r * G + 2 * H + u], o = gates[r * G + 3 * H + u];
                    double cPrev = t > 0 ? c[p * H + u] : 0;
                    double outFactor = cell == CellKind.Standard ? Math.Tanh(c[r * H + u]) : c[r * H + u]; // what o multiplied
                    double dh = dH[r * H + u] + dhNext[b * H + u];
                    double dc = dh * o * (cell == CellKind.Standard ? 1 - outFactor * outFactor : 1);
                    // The line the blog questioned: the full gradient adds what step t+1 sends back
                    // through c_t; the truncated variant drops it (and so sends nothing back itself).
                    if (variant == CellGradient.Full)
                    {
                        dc += dcNext[b * H + u];
                        dcNext[b * H + u] = dc * f;
                    }
                    dGates[u] = dc * g * i * (1 - i);             // through σ
                    dGates[H + u] = dc * cPrev * f * (1 - f);      // through σ
                    dGates[2 * H + u] = dc * i * (1 - g * g);      // through tanh
                    dGates[3 * H + u] = dh * outFactor * o * (1 - o);
                }
                // z = W_ih·x_t + W_hh·h_{t−1} + biases: the gradient goes to each of its terms.
                for (int j = 0; j < H; j++) dhNext[b * H + j] = 0;
                for (int k = 0; k < G; k++)
                {
                    dB[k] += dGates[k];
                    for (int j = 0; j < X; j++)
                    {
                        dWih[k * X + j] += dGates[k] * x[r * X + j];
                        dX[r * X + j] += dGates[k] * wIh[k * X + j];
                    }
                    if (t == 0) continue;                          // h_{−1} = 0: no weight gradient, nothing sent back
                    for (int j = 0; j < H; j++)
                    {
                        dWhh[k * H + j] += dGates[k] * h[p * H + j];
                        dhNext[b * H + j] += dGates[k] * wHh[k * H + j];
                    }
                }
            }
        return new Gradients(dWih, dWhh, dB, (double[])dB.Clone(), dX);
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}
