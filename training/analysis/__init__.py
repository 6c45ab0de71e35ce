"""Analysis tools: measurements around the pipeline that no step needs in order to ship a model.

    python -m training.analysis.int8_sensitivity  which int8 MatMuls cost the most fp32 agreement
    python -m training.analysis.model_speed       the model alone: PyTorch fp32 vs the shipped int8 ONNX
    python -m training.analysis.transfer          the encoder on DeepMoji's benchmarks, beside DeepMoji
    python -m training.analysis.baselines         TF-IDF + logistic regression and frozen-encoder baselines
"""
