import './base.css';
import './defaults.css';
import './registry.css';
