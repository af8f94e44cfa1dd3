from . import autofaktura_forecast_line
