namespace LstmService.Engine.Layers;

/// <summary>Which backward pass the cell runs.</summary>
public enum CellGradient
{
    /// <summary>Full backpropagation through time: the exact gradient of the loss.</summary>
    Full,
    /// <summary>
    /// The blog's one-line change to the numpy original: the cell-state gradient arriving from
    /// step t+1 is dropped (dc = o·dh·…, without + dc_next). NOT the gradient of the loss; it
    /// exists to reproduce and study that variant.
    /// </summary>
    Truncated,
}
