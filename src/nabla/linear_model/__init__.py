"""Linear models as scikit-learn-compatible estimators (seeds 001 and 003).

LinearRegression and Ridge (normal equations, solved stably), Lasso (coordinate descent
with a duality-gap stop), LogisticRegression (gradient descent, SGD, Newton/IRLS, L-BFGS)
and SoftmaxRegression (the notes' multinomial model).
"""

from nabla.linear_model._lasso import Lasso
from nabla.linear_model._least_squares import LinearRegression, Ridge
from nabla.linear_model._logistic import LogisticRegression, SoftmaxRegression

__all__ = ["Lasso", "LinearRegression", "LogisticRegression", "Ridge", "SoftmaxRegression"]
