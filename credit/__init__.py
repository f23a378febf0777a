"""Credit registry (信用档案): subjects, conduct catalogue, records and their due process, scores,
public lookup and exchange with the city public credit platform."""
