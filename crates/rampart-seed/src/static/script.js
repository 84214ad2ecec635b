// Loaded with the response's nonce, so the CSP lets it run.
document.body.dataset.scriptRan = 'yes';
