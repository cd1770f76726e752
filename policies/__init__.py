"""The tavus-personas CrossGuard policy pack (`pulumi preview --policy-pack policies`).

`__main__.py` is what the Pulumi CLI runs; `rules.py` holds the policies, `personas.py` how a
persona resource is recognised and read, `secret_marks.py` how secrecy survives into a rule.
"""
